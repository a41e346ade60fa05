"""API routes, one module per domain; each route names its access action with ``guard``."""
