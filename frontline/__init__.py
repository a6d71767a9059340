"""Frontline: read war reporting on a map."""
