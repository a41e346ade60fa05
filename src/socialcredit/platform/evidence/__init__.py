"""Evidence: content-addressed files (photos, videos, documents) under the evidence directory."""
