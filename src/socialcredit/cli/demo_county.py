"""Build the demo county: a synthetic population loaded into a fresh SQLite platform, ready to serve.

Steps (each through the platform's own services): ``synth`` writes people, organisations and 12 months
of records; the records are split by source, their evidence pointed at generated photos (stored in the
evidence store), and imported as history (``--keep-recorded-at``); names and villages are set in one
audited step; one user per role, a relying party's key, passport aliases and a few objections are added;
the current standings are computed. Nothing here decides anything the platform does not.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl
    from sqlalchemy.orm import Session

    from socialcredit.access import Actor
    from socialcredit.db.connect import Database
    from socialcredit.policy.model import Policy
    from socialcredit.settings import Settings

Step = Callable[[str], None]
PASSWORD = "demo-2025"
PHOTOS = 12


@dataclass(frozen=True, slots=True)
class Login:
    role: str
    name: str
    note: str = ""


@dataclass(slots=True)
class County:
    """What was built: the logins, the relying party's key, figures and timings."""

    logins: list[Login] = field(default_factory=list)
    party_key: str = ""
    source_keys: dict[str, str] = field(default_factory=dict)
    figures: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def first_day(today: date, months: int) -> date:
    """``months`` months before ``today`` (the day clamped to 28), so that the window ends by today."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, min(today.day, 28))


def photo_bytes(number: int) -> bytes:
    """A small JPEG standing in for an assessor's photo (a coloured scene with its number)."""
    from PIL import Image, ImageDraw

    hue = (number * 47) % 255
    image = Image.new("RGB", (320, 240), (90 + hue // 3, 140 + (hue // 5), 100 + (255 - hue) // 4))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 150, 300, 225), fill=(70, 110, 60))
    draw.ellipse((230, 20, 290, 80), fill=(250, 220, 120))
    draw.polygon([(40, 150), (100, 80), (160, 150)], fill=(150, 60, 50))
    draw.text((24, 24), f"deed photo {number + 1}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def build(settings: Settings, *, policy_path: Path, work: Path, people: int, orgs: int, months: int, seed: int,
          step: Step) -> County:  # fmt: skip
    """Build the county into ``settings`` (a fresh database) from a synthetic population written to ``work``."""
    from socialcredit.db.connect import open_database

    county = County()
    began = time.perf_counter()
    step("synthetic population")
    synth_dir = _synthesize(policy_path, work / "synth", people, orgs, months, seed)
    county.seconds["synth"] = time.perf_counter() - began
    db = open_database(settings, migrate=True)
    try:
        _load(db, settings, policy_path, synth_dir, work, county, step)
    finally:
        db.dispose()
    county.seconds["total"] = time.perf_counter() - began
    return county


def _synthesize(policy_path: Path, out: Path, people: int, orgs: int, months: int, seed: int) -> Path:
    from socialcredit.policy import load_policy
    from socialcredit.synth import SynthSpec, synthesize

    policy = load_policy(policy_path)
    start = first_day(datetime.now(UTC).date(), months)
    synthesize(SynthSpec(policy, people, orgs, months, seed, "371082", start), out, overwrite=True)
    return out


def _load(db: Database, settings: Settings, policy_path: Path, synth_dir: Path, work: Path, county: County,
          step: Step) -> None:  # fmt: skip
    from socialcredit.db.engine import transaction
    from socialcredit.platform.handbooks import service as handbooks
    from socialcredit.platform.sources import service as sources

    admin = _operator()
    moment = time.perf_counter()
    step("handbook, sources, photos")
    with transaction(db.sessions) as session:
        handbooks.activate(session, actor=admin, text=policy_path.read_text(encoding="utf-8"), origin=str(policy_path))
        policy = handbooks.active_policy(session)
        names = sorted({name for rule in policy.rules for name in (rule.sources or [])})
        for name in names:
            sources.add(session, actor=admin, source_id=name, policy=policy)
        photos = _store_photos(session, admin, settings)
    files = _split_by_source(synth_dir, work / "by-source", photos)
    step(f"importing {sum(files.values()):,} records from {len(files)} sources")
    _import(db, admin, work / "by-source", files)
    county.figures["records"] = sum(files.values())
    county.seconds["import"] = time.perf_counter() - moment
    moment = time.perf_counter()
    step("names, villages, people and keys")
    with transaction(db.sessions) as session:
        county.figures["subjects"] = _describe(session, admin, synth_dir)
        _people(session, admin, county, policy)
    step("current standings of everyone")
    county.figures["standings"] = _refresh(db)
    county.seconds["standings"] = time.perf_counter() - moment
    step("objections and inquiries")
    _objections(db, county)


def _operator() -> Actor:
    from socialcredit.access import Actor

    return Actor("cli", "demo", "admin")


def _store_photos(session: Session, admin: Actor, settings: Settings) -> list[str]:
    from socialcredit.platform.evidence import service as evidence

    stored = []
    for number in range(PHOTOS):
        row = evidence.store(
            session, actor=admin, stream=io.BytesIO(photo_bytes(number)), evidence_dir=settings.evidence_dir,
            max_bytes=settings.evidence_max_bytes,
        )  # fmt: skip
        stored.append(row.sha256)
    return stored


def _split_by_source(synth_dir: Path, out: Path, photos: list[str]) -> dict[str, int]:
    """One Parquet file per source: history up to now, evidence pointing at two stored photos each."""
    import polars as pl

    out.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC) - timedelta(minutes=1)
    records = pl.read_parquet(synth_dir / "records")
    records = records.filter(pl.col("occurred_on") <= now.date() - timedelta(days=1)).with_columns(
        pl.min_horizontal(pl.col("recorded_at"), pl.lit(now).dt.convert_time_zone("Asia/Shanghai")).alias(
            "recorded_at"
        ),
        pl.col("status").replace({"contested": "confirmed"}),
        _evidence(photos),
    )
    counts: dict[str, int] = {}
    for (name,), part in records.group_by("source"):
        part.write_parquet(out / f"{name}.parquet")
        counts[str(name)] = part.height
    return counts


def _evidence(photos: list[str]) -> pl.Expr:
    import polars as pl

    first = (pl.col("id").hash(seed=7) % len(photos)).cast(pl.Int64)
    second = (first + 1) % len(photos)
    table = dict(enumerate(photos))

    def ref(index: pl.Expr) -> pl.Expr:
        return pl.struct(sha256=index.replace_strict(table, return_dtype=pl.String), media_type=pl.lit("image/jpeg"))

    return (
        pl.when(pl.col("evidence").list.len() > 0)
        .then(pl.concat_list([ref(first), ref(second)]))
        .otherwise(pl.col("evidence"))
        .alias("evidence")
    )


def _import(db: Database, admin: Actor, folder: Path, files: dict[str, int]) -> None:
    from socialcredit.db.engine import transaction
    from socialcredit.platform.records.importer import import_file

    for name in sorted(files):
        with transaction(db.sessions) as session:
            import_file(session, actor=admin, path=folder / f"{name}.parquet", source=name, keep_recorded_at=True)


def _describe(session: Session, admin: Actor, synth_dir: Path) -> int:
    """Every synthetic subject on the platform with its name and village, in one audited step."""
    import polars as pl
    from sqlalchemy import bindparam, update

    from socialcredit.db.base import table_of
    from socialcredit.platform.audit import service as audit
    from socialcredit.platform.subjects.models import Subject
    from socialcredit.platform.subjects.service import ensure_subjects

    frame = pl.read_parquet(synth_dir / "subjects.parquet", columns=["subject", "name", "village"])
    ensure_subjects(session, frame["subject"].to_list())
    table = table_of(Subject)
    statement = (
        update(table)
        .where(table.c.national_id == bindparam("key"))
        .values(name=bindparam("new_name"), village=bindparam("new_village"))
    )
    rows = [{"key": s, "new_name": n, "new_village": v} for s, n, v in frame.iter_rows()]
    session.execute(statement, rows)
    digest = hashlib.sha256((synth_dir / "subjects.parquet").read_bytes()).hexdigest()
    audit.log(
        session, actor=admin.id, action="subject.update", object="subjects:synthetic-county",
        payload={"subjects": len(rows), "file": "subjects.parquet", "sha256": digest},
    )  # fmt: skip
    return len(rows)


def _pick(session: Session, query: Any) -> str | None:
    return session.execute(query.limit(1)).scalar_one_or_none()


def _people(session: Session, admin: Actor, county: County, policy: Policy) -> None:
    """One login per role (password PASSWORD), keys for a relying party and for the court."""
    from sqlalchemy import select

    from socialcredit.platform.lists.models import ListMember
    from socialcredit.platform.records.models import RecordRow
    from socialcredit.platform.subjects import service as subjects
    from socialcredit.platform.users import service as users

    deeds = select(RecordRow.subject).where(RecordRow.source == "village-assessors", RecordRow.status == "confirmed")
    person = _pick(session, deeds.order_by(RecordRow.pk)) or ""
    defaulter = _pick(session, select(ListMember.subject).where(ListMember.list_id == "court-defaulters")) or _pick(
        session, select(RecordRow.subject).where(RecordRow.rule == "court.judgment-defaulter")
    )
    roles = [
        ("admin", "admin", {}, ""),
        ("clerk", "clerk", {}, ""),
        ("assessor", "assessor", {"source": "village-assessors"}, "reports for village-assessors"),
        ("reviewer", "reviewer", {}, ""),
        ("auditor", "auditor", {}, ""),
        ("relying-party", "airline", {}, "check form needs the airline key below"),
        ("source", "court", {"source": "court"}, "the court's desk: objections to its records"),
        ("subject", "resident", {"subject": person}, person),
    ]
    if defaulter:
        roles.append(("subject", "defaulter", {"subject": defaulter}, f"{defaulter}, on the court list"))
        subjects.add_alias(session, actor=admin, identifier=defaulter, passport="E12345678")
    for role, name, options, note in roles:
        users.create_user(session, actor=admin, name=name, role=role, password=PASSWORD, **options)
        county.logins.append(Login(role, name, note))
    services = tuple(sorted({measure.service for measure in policy.measures}))
    county.party_key = users.create_key(
        session, actor=admin, name="airline", role="relying-party", services=services
    ).token
    county.source_keys["court"] = users.create_key(session, actor=admin, name="court", role="source").token
    if defaulter:
        county.figures["defaulter"] = 1


def _refresh(db: Database) -> int:
    """Compute the current standing of everyone queued by the imports (the platform's refresh)."""
    from socialcredit.platform.flows import refresh_standings

    return refresh_standings(db.sessions)


def _objections(db: Database, county: County) -> None:
    """A few residents object to a court record (a clerk files it for them): contested, awaiting the court."""
    from sqlalchemy import select

    from socialcredit.access import Actor
    from socialcredit.db.engine import transaction
    from socialcredit.errors import SocialCreditError
    from socialcredit.platform.records.models import RecordRow
    from socialcredit.platform.rights import flows as rights

    clerk = Actor("user", "clerk", "clerk")
    raised = 0
    with transaction(db.readers) as session:
        query = (
            select(RecordRow.source, RecordRow.record_id)
            .where(RecordRow.kind == "fact", RecordRow.status == "confirmed", RecordRow.source == "court")
            .order_by(RecordRow.pk.desc())
            .limit(5)
        )
        targets = session.execute(query).all()
    for source, record_id in targets:
        try:
            with transaction(db.sessions) as session:
                rights.raise_objection(
                    session, actor=clerk, source=source, record_id=record_id,
                    reason="The judgment debt was paid in full before the listing.",
                )  # fmt: skip
            raised += 1
        except SocialCreditError:
            continue
    county.figures["objections"] = raised
