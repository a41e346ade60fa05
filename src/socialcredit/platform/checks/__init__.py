"""Checks at the point of service: an in-memory snapshot of lists and measures, decisions, the check log."""
