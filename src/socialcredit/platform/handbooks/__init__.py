"""Handbook versions stored on the platform; one is active, and every activation is audited."""
