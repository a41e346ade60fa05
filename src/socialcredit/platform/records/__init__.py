"""Records on the platform: append-only storage, ingestion, and status history."""
