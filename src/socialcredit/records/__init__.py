"""Records: the interchange format of DESIGN §6 (pure part) and, on the platform, their tables."""
