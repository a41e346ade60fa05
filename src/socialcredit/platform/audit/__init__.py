"""The hash-chained audit log: every write appends an entry in the same transaction."""
