"""Data sources (agencies, assessor teams) and the rules each may report."""
