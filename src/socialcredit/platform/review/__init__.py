"""The review queue: the committee approves or rejects pending reports (four eyes, evidence checked)."""
