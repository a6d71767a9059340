"""Placeholder until the dashboard issue."""
