"""Subjects: people and organisations, keyed by national identifier, with aliases and consent."""
