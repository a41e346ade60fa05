"""Red and black lists as versioned snapshots: membership changes, versions, public lists."""
