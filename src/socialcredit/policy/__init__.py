"""The handbook: format, loading, content hash."""

from socialcredit.policy.load import content_hash, load_policy, parse_policy, policy_from_dict
from socialcredit.policy.model import Policy, Rule

__all__ = ["Policy", "Rule", "content_hash", "load_policy", "parse_policy", "policy_from_dict"]
