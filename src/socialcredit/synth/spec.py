"""What to generate: a validated :class:`SynthSpec` (every bad argument is refused before anything is written)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from socialcredit.errors import UserError
from socialcredit.policy.duration import add_months
from socialcredit.policy.model import Policy
from socialcredit.synth.people import check_capacity
from socialcredit.synth.regions import divisions

MAX_SUBJECTS = 2_000_000_000
MAX_MONTHS = 1200


@dataclass(frozen=True)
class SynthSpec:
    """A synthetic population: who, where, over which months, from which seed.

    Records occur in ``[start, end)``; the output is a snapshot taken at ``end``: nothing recorded later
    is in it. ``chunk_records`` bounds memory (records generated and written at once, about).
    """

    policy: Policy
    people: int
    orgs: int
    months: int
    seed: int
    region: str
    start: date
    chunk_records: int = 1_000_000

    @property
    def end(self) -> date:
        return add_months(self.start, self.months)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def years(self) -> float:
        return self.days / 365.25


def check_spec(spec: SynthSpec, *, today: date | None = None) -> None:
    """Raise UserError naming the option and value of the first bad argument."""
    subjects = spec.policy.policy.subjects
    if spec.people < 0:
        raise UserError(f"--people must be 0 or more; got {spec.people}")
    if spec.orgs < 0:
        raise UserError(f"--orgs must be 0 or more; got {spec.orgs}")
    if spec.people + spec.orgs == 0:
        raise UserError("nothing to generate: give --people or --orgs above 0")
    if spec.people + spec.orgs > MAX_SUBJECTS:
        raise UserError(f"--people + --orgs must be at most {MAX_SUBJECTS:,}")
    if spec.people and "person" not in subjects:
        raise UserError(f"--people: handbook {spec.policy.id} scores no persons (policy.subjects = {subjects})")
    if spec.orgs and "organisation" not in subjects:
        raise UserError(f"--orgs: handbook {spec.policy.id} scores no organisations (policy.subjects = {subjects})")
    if not 1 <= spec.months <= MAX_MONTHS:
        raise UserError(f"--months must be between 1 and {MAX_MONTHS}; got {spec.months}")
    if not 0 <= spec.seed < 2**63:
        raise UserError(f"--seed must be between 0 and 2**63 - 1; got {spec.seed}")
    if spec.chunk_records < 1000:
        raise UserError(f"--chunk-records must be at least 1000; got {spec.chunk_records}")
    if spec.start.year < 1900 + 91:
        raise UserError(f"--start {spec.start} is too early: people aged up to 90 need birth dates after 1900")
    today = today or date.today()
    if spec.end > today:
        raise UserError(
            f"--start {spec.start} + --months {spec.months} ends on {spec.end}, after today ({today}); "
            "records cannot lie in the future: choose an earlier --start or fewer --months"
        )
    check_capacity(spec.people, divisions(spec.region), spec.start)


def check_out(out: Path, *, overwrite: bool) -> None:
    """The output directory must be new, empty, or (with ``overwrite``) an earlier synthetic population."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a directory")
    if not out.exists() or not any(out.iterdir()):
        return
    if not (out / "synth.json").exists():
        raise UserError(f"--out {out}: directory is not empty and holds no synthetic population; choose another")
    if not overwrite:
        raise UserError(f"--out {out}: already holds a synthetic population; pass --overwrite to replace it")
