"""People (users with passwords) and machines (API keys), each with a role."""
