"""Reading Ukrainian and Russian texts: words, their dictionary forms, war-report patterns.

Loaded only for texts in Cyrillic (the pipeline imports it lazily), so an English article
never pays for the dictionaries or the Russian NER model.
"""
