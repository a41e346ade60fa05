"""The population a simulation runs over, and its outcomes under one handbook.

An outcome frame has one row per subject, sorted by subject, with the columns of the columnar engine's
``score_frame``: ``subject``, ``points_cents`` (Int64, null without consent), ``points`` (decimal string),
``grade``, ``lists`` (list ids), ``denied`` (services denied) and ``next_change_on``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from socialcredit.errors import RecordError
from socialcredit.policy.model import Policy
from socialcredit.policy.money import format_cents
from socialcredit.records.schema import Record
from socialcredit.scoring.batch_io import group_by_subject
from socialcredit.scoring.engine import evaluate
from socialcredit.scoring.standing import Standing

if TYPE_CHECKING:
    import polars as pl


def outcome_schema() -> dict[str, pl.DataType]:
    import polars as pl

    return {
        "subject": pl.String(),
        "points_cents": pl.Int64(),
        "points": pl.String(),
        "grade": pl.String(),
        "lists": pl.List(pl.String()),
        "denied": pl.List(pl.String()),
        "next_change_on": pl.Date(),
    }


def standings_frame(standings: Iterable[Standing]) -> pl.DataFrame:
    """Per-subject standings as an outcome frame (sorted by subject)."""
    import polars as pl

    rows = [
        {
            "subject": s.subject,
            "points_cents": s.points,
            "points": None if s.points is None else format_cents(s.points),
            "grade": s.grade,
            "lists": [entry.id for entry in s.lists],
            "denied": sorted({m.service for m in s.measures if m.effect == "deny"}),
            "next_change_on": s.next_change_on,
        }
        for s in standings
    ]
    return pl.DataFrame(rows, schema=outcome_schema()).sort("subject")


class Population:
    """Records read once and scored under any number of handbooks (each record validated per handbook).

    Build it from a record file (``Population.from_path``) or from records already validated by the
    platform (``Population.from_records``). ``consents`` holds the subjects who consented to scoring.
    """

    def __init__(
        self, *, path: Path | None = None, records: list[Record] | None = None, consents: frozenset[str] = frozenset()
    ) -> None:
        self.path = path
        self.consents = consents
        self._given = group_by_subject(records) if records is not None else None
        self._loaded: dict[str, dict[str, list[Record]]] = {}

    @classmethod
    def from_path(cls, path: Path, *, consents: frozenset[str] = frozenset()) -> Population:
        return cls(path=path, consents=consents)

    @classmethod
    def from_records(cls, records: list[Record], *, consents: frozenset[str] = frozenset()) -> Population:
        return cls(records=records, consents=consents)

    def prepare(self, policy: Policy, label: str) -> None:
        """Read and validate the records under ``policy``; a RecordError names the handbook (``label``)."""
        if self._given is not None or policy.hash in self._loaded:
            return
        from socialcredit.records.validate import load_records

        try:
            self._loaded[policy.hash] = group_by_subject(load_records(str(self.path), policy))
        except RecordError as error:
            intro = f"the records do not fit the {label} handbook ({policy.id} {policy.version}):"
            raise RecordError(f"{intro} {error.message}", details=[intro, *(error.details or [])]) from None

    def histories(self, policy: Policy) -> dict[str, list[Record]]:
        """Each subject's records as validated under ``policy``."""
        if self._given is not None:
            return self._given
        self.prepare(policy, "given")
        return self._loaded[policy.hash]

    def standings(
        self, policy: Policy, as_of: date, known_at: datetime | None, subjects: Iterable[str] | None = None
    ) -> list[Standing]:
        """Per-subject standings (with explanations) of ``subjects``, or of everyone, sorted by subject."""
        groups = self.histories(policy)
        chosen = sorted(groups) if subjects is None else sorted(set(subjects))
        return [
            evaluate(groups.get(s, []), policy, as_of, known_at, consent=s in self.consents, subject=s) for s in chosen
        ]

    def outcomes(self, policy: Policy, as_of: date, known_at: datetime | None) -> pl.DataFrame:
        """The outcome frame of every subject under ``policy`` on ``as_of``."""
        return standings_frame(self.standings(policy, as_of, known_at))
