"""Standings: the current standing of every subject, and a published snapshot per month."""
