"""Why one subject's outcome differs between two handbooks, from the per-subject engine's explanations.

:func:`explain_change` compares the two standings record by record (points and status under each handbook),
then says which of points, grade bands, grade ceilings, lists and measures made the difference.
:func:`drivers` names what moved a subject down a grade: rules whose records now cost more (or count where
they did not), rules whose grade ceiling now binds, or the grade bands themselves.
"""

from __future__ import annotations

from typing import Any

from socialcredit.policy.duration import Duration
from socialcredit.policy.model import Policy
from socialcredit.policy.money import format_cents
from socialcredit.scoring.standing import IN_FORCE, Contribution, Standing

BANDS = "(grade bands)"


def band(policy: Policy, points: int | None) -> str | None:
    """The grade ``points`` fall in under ``policy``, before grade ceilings."""
    if points is None:
        return None
    return next(g.name for g in policy.grades if g.min is None or g.min <= points)


def ceilings(standing: Standing, policy: Policy) -> list[tuple[str, Contribution]]:
    """The grade ceilings in force for a subject: ``(ceiling grade, contribution)`` pairs."""
    found = []
    for item in standing.contributions:
        rule = policy.rule(item.rule)
        if item.status in IN_FORCE and rule is not None and rule.grade_ceiling:
            found.append((rule.grade_ceiling, item))
    return found


def record_changes(base: Standing, cand: Standing) -> list[dict[str, Any]]:
    """Records whose contribution or status differs between the two standings."""
    before = {(c.source, c.record): c for c in base.contributions}
    changes = []
    for after in cand.contributions:
        was = before.get((after.source, after.record))
        if was is None or (was.points, was.status) != (after.points, after.status):
            changes.append(
                {
                    "source": after.source, "record": after.record, "rule": after.rule,
                    "occurred_on": after.occurred_on.isoformat(),
                    "baseline": None if was is None else {"points": format_cents(was.points), "status": was.status},
                    "candidate": {"points": format_cents(after.points), "status": after.status},
                }
            )  # fmt: skip
    return changes


def explain_change(base: Standing, cand: Standing, baseline: Policy, candidate: Policy) -> list[str]:
    """Sentences that account for the difference, most important first."""
    why = []
    if base.points != cand.points:
        why.append(f"points {_pts(base.points)} → {_pts(cand.points)} ({_delta(base.points, cand.points)})")
    why += _rule_sentences(base, cand, baseline, candidate)
    if base.grade != cand.grade:
        why += _grade_sentences(base, cand, baseline, candidate)
    was, now = {e.id for e in base.lists}, {e.id for e in cand.lists}
    why += [f"newly on list {name}" for name in sorted(now - was)]
    why += [f"no longer on list {name}" for name in sorted(was - now)]
    denied_before, denied_now = _denied(base), _denied(cand)
    why += [f"newly denied {service}" for service in sorted(denied_now - denied_before)]
    why += [f"newly allowed {service}" for service in sorted(denied_before - denied_now)]
    return why


def drivers(base: Standing, cand: Standing, baseline: Policy, candidate: Policy) -> list[str]:
    """Rules (or the grade bands) that moved this subject's grade down; empty if it did not move down."""
    found = [rule for rule, delta in _rule_deltas(base, cand).items() if delta < 0]
    base_ceiling = _ceiling_rank(base, baseline, candidate)
    for grade, item in ceilings(cand, candidate):
        if _rank(candidate, grade) >= _rank(candidate, cand.grade) and _rank(candidate, grade) > base_ceiling:
            found.append(item.rule)
    now, was = band(candidate, base.points), band(baseline, base.points)
    if now is not None and _rank(candidate, now) > _rank(candidate, was):
        found.append(BANDS)
    return sorted(set(found))


def _rule_deltas(base: Standing, cand: Standing) -> dict[str, int]:
    deltas: dict[str, int] = {}
    for sign, standing in ((-1, base), (1, cand)):
        for item in standing.contributions:
            deltas[item.rule] = deltas.get(item.rule, 0) + sign * item.points
    return deltas


def _rule_sentences(base: Standing, cand: Standing, baseline: Policy, candidate: Policy) -> list[str]:
    out = []
    for rule_id, delta in sorted(_rule_deltas(base, cand).items(), key=lambda item: (item[1], item[0])):
        if delta:
            out.append(f"rule {rule_id}{_rule_note(rule_id, baseline, candidate)}: {_signed(delta)} in total")
    return out


def _rule_note(rule_id: str, baseline: Policy, candidate: Policy) -> str:
    old, new = baseline.rule(rule_id), candidate.rule(rule_id)
    if old is None:
        return " (new rule)"
    if new is None:
        return " (rule removed)"
    notes = [
        f"{name} {_show(getattr(old, name))} → {_show(getattr(new, name))}"
        for name in ("points", "counts_for", "cap", "notice", "grade_ceiling")
        if getattr(old, name) != getattr(new, name)
    ]
    return f" ({'; '.join(notes)})" if notes else ""


def _show(value: object) -> str:
    """A rule field as the handbook writes it: points in points, durations in ISO 8601, tables inline."""
    if value is None:
        return "none"
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, int):
        return format_cents(value)
    if isinstance(value, tuple) and all(isinstance(item, int) for item in value):
        return "[" + ", ".join(format_cents(item) for item in value) + "]"
    if hasattr(value, "model_dump"):
        data = value.model_dump(mode="json", exclude_none=True)
        return "{" + ", ".join(f"{key} = {item}" for key, item in data.items()) + "}"
    return str(value)


def _grade_sentences(base: Standing, cand: Standing, baseline: Policy, candidate: Policy) -> list[str]:
    out = [f"grade {base.grade or 'none'} → {cand.grade or 'none'}"]
    if base.points is not None and band(baseline, base.points) != band(candidate, base.points):
        out.append(
            f"bands: {_pts(base.points)} points are {band(baseline, base.points)} under the baseline "
            f"and {band(candidate, base.points)} under the candidate"
        )
    for grade, item in ceilings(cand, candidate):
        if grade == cand.grade and band(candidate, cand.points) != cand.grade:
            old = baseline.rule(item.rule)
            new = "" if old is not None and old.grade_ceiling == grade else ", a ceiling the baseline does not have"
            out.append(f"grade ceiling {grade} from rule {item.rule} (record {item.source}/{item.record}){new}")
    if cand.points is None or base.points is None:
        out.append("no points or grade without the subject's consent under one handbook")
    return out


def _ceiling_rank(standing: Standing, baseline: Policy, candidate: Policy) -> int:
    """The worst ceiling in force under the baseline, as a rank in the candidate's grades (-1: none)."""
    ranks = [_rank(candidate, grade) for grade, _ in ceilings(standing, baseline)]
    return max(ranks, default=-1)


def _rank(policy: Policy, grade: str | None) -> int:
    names = [g.name for g in policy.grades]
    return names.index(grade) if grade in names else -1


def _denied(standing: Standing) -> set[str]:
    return {m.service for m in standing.measures if m.effect == "deny"}


def _pts(points: int | None) -> str:
    return "none" if points is None else format_cents(points)


def _signed(cents: int) -> str:
    return ("+" if cents > 0 else "") + format_cents(cents)


def _delta(old: int | None, new: int | None) -> str:
    return "no points under one handbook" if old is None or new is None else _signed(new - old)
