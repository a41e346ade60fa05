"""Per-record checks of a Parquet batch over columns: the fast path of ``records.parse`` and ``validate``.

:func:`fast_rows` converts a batch to record-frame columns and marks each row ``_ok`` when it is
certainly valid (the checks of ``parse_record`` and ``rule_problems``, on values already in normal
form). Rows not marked are handed to those functions, which either find the problems (and word them)
or accept the row; either way the answer is the per-record validator's.
"""

from __future__ import annotations

import polars as pl

from socialcredit.policy.model import Policy
from socialcredit.policy.money import to_cents
from socialcredit.records.parse import YEARS
from socialcredit.records.schema import FIELDS, STATUSES, TEXT_FIELDS
from socialcredit.scoring.columnar_ids import KIND_CODES, kind_codes
from socialcredit.scoring.frames import CODED_SCHEMA, KIND_CODE, RECORD_SCHEMA, STATUS_CODE, UTC_INSTANT

TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)
INT_TYPES = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.Int128, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64, pl.UInt128)
# Values checked against a closed set (identifier pattern, kinds, statuses) need no
# separate check that they are stripped and not blank: a padded or blank value is in no such set.
CLOSED_FIELDS = ("subject", "kind", "status")
SHA256 = r"^[0-9a-fA-F]{64}$"
FACT, CORRECT = KIND_CODE["fact"], KIND_CODE["correct"]
# What str.strip() strips: Unicode white space and the separators U+001C–U+001F (every one is below U+3001)
PYTHON_SPACE = "".join(char for char in map(chr, range(0x3001)) if char.isspace())
INT64 = (-(2**63), 2**63 - 1)  # the hundredths a points column holds
MAX_POINTS = INT64[1] // 100  # whole points whose hundredths it holds
STATUSES_GIVEN = {status: STATUS_CODE[status] for status in STATUSES}  # not "suspended": set by the platform


def zone(policy: Policy | None) -> str:
    """The handbook's time zone (without a handbook, records are read in Asia/Shanghai time)."""
    return policy.policy.timezone if policy else "Asia/Shanghai"


def fast_rows(batch: pl.DataFrame, policy: Policy | None, tz: str, *, coded: bool = False) -> pl.DataFrame:
    """Record-frame columns of ``batch`` plus ``_ok``: the row is certainly valid.

    With ``coded`` (and a handbook), the columns of the coded frame (``frames.CODED_SCHEMA``) instead:
    kind, status and rule as the indexes ``frames.encode`` gives them (rows not ``_ok`` have nulls there).
    """
    if not batch.width or any(name not in FIELDS for name in batch.columns):  # no field at all, or unknown ones
        return _unchecked(batch.height, CODED_SCHEMA if coded else RECORD_SCHEMA)
    schema = batch.schema
    columns: list[pl.Expr] = [_text(schema, name) for name in TEXT_FIELDS]
    # a rule is checked against the handbook's only on facts and corrections: elsewhere it must be stripped too
    good: list[pl.Expr] = [_text_ok(schema, name) for name in TEXT_FIELDS if name not in CLOSED_FIELDS]
    occurred, occurred_ok = _occurred(schema)
    points, points_ok = _points(batch)
    columns += [occurred.alias("occurred_on"), points.alias("points")]
    good += [occurred_ok, points_ok, _evidence_ok(schema)]
    if "recorded_at" in schema:
        columns.append(pl.col("recorded_at").alias("_raw_recorded_at"))
    frame = batch.lazy().select(*columns, pl.all_horizontal(good).alias("_ok"))
    kind_code = pl.col("kind").fill_null("fact").replace_strict(KIND_CODE, default=None, return_dtype=pl.UInt8)
    status_code = pl.col("status").fill_null("confirmed").replace_strict(STATUSES_GIVEN, default=None)
    frame = frame.with_columns(
        pl.col("kind").fill_null("fact"),
        pl.col("status").fill_null("confirmed"),
        kind_code.alias("_kind"),
        status_code.cast(pl.UInt8).alias("_status"),
        _subject_kinds(batch),
    )
    recorded, recorded_ok = _recorded(schema, tz, batch)
    frame = frame.with_columns(recorded.alias("recorded_at"), (pl.col("_ok") & recorded_ok).alias("_ok"))
    kinds = tuple(policy.policy.subjects) if policy else ("person", "organisation")
    checks = pl.col("_ok") & _shape_checks(kinds)
    if policy is not None:
        index = {rule.id: number for number, rule in enumerate(policy.rules)}
        rule_index = pl.col("rule").replace_strict(index, default=None, return_dtype=pl.Int32)
        frame = frame.with_columns(rule_index.alias("_rule_index"))
        checks = checks & _rule_checks(policy)
    frame = frame.with_columns(checks.fill_null(False).alias("_ok"))
    if coded and policy is not None:
        codes = [pl.col("_kind").alias("kind"), pl.col("_rule_index").alias("rule"), pl.col("_status").alias("status")]
        return frame.with_columns(codes).select([*CODED_SCHEMA, "_ok"]).collect()
    return frame.select([*RECORD_SCHEMA, "_ok"]).collect()


def _subject_kinds(batch: pl.DataFrame) -> pl.Expr:
    """``subject_kind`` of each row as a code (``columnar_ids.kind_codes``), judged once per run of equal
    subjects (records usually come grouped by subject), or once per distinct subject when they do not."""
    if "subject" not in batch.columns:
        return pl.lit(None, dtype=pl.UInt8).alias("subject_kind")
    subjects = batch["subject"].cast(pl.String)
    starts = (subjects != subjects.shift(1)).fill_null(True)
    if int(starts.sum()) * 2 > batch.height:
        distinct = subjects.drop_nulls().unique()
        table = pl.DataFrame({"subject": distinct, "subject_kind": kind_codes(distinct)})
        found = subjects.to_frame().join(table, on="subject", how="left", maintain_order="left")
        return pl.lit(found["subject_kind"]).alias("subject_kind")
    run = starts.cast(pl.UInt32).cum_sum() - 1
    return pl.lit(kind_codes(subjects.filter(starts)).gather(run)).alias("subject_kind")


def _unchecked(height: int, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    columns = {name: pl.Series(name, [None] * height, dtype=dtype) for name, dtype in schema.items()}
    return pl.DataFrame(columns).with_columns(pl.lit(False).alias("_ok"))


def _is_text(dtype: pl.DataType) -> bool:
    return isinstance(dtype, (*TEXT_TYPES, *INT_TYPES))


def _text(schema: pl.Schema, name: str) -> pl.Expr:
    """The column as strings (null where absent or of a type read only by the slow path)."""
    if name in schema and _is_text(schema[name]):
        return pl.col(name).cast(pl.String).alias(name)
    return pl.lit(None, dtype=pl.String).alias(name)


def _text_ok(schema: pl.Schema, name: str) -> pl.Expr:
    """Certainly read alike by ``str(value).strip()``: already stripped and not blank (or absent)."""
    if name not in schema:
        return pl.lit(True)
    if not _is_text(schema[name]):
        return pl.col(name).is_null()
    value = pl.col(name).cast(pl.String)
    return value.is_null() | ((value.str.strip_chars(PYTHON_SPACE) == value) & (value != ""))


def _occurred(schema: pl.Schema) -> tuple[pl.Expr, pl.Expr]:
    if "occurred_on" not in schema:
        return pl.lit(None, dtype=pl.Date), pl.lit(True)
    column, dtype = pl.col("occurred_on"), schema["occurred_on"]
    if dtype == pl.Date:
        return column, column.is_null() | column.dt.year().is_between(*YEARS)
    if isinstance(dtype, TEXT_TYPES):
        text = column.cast(pl.String)
        day = pl.when(text.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(text.str.to_date("%Y-%m-%d", strict=False))
        return day, column.is_null() | day.dt.year().is_between(*YEARS).fill_null(False)
    return pl.lit(None, dtype=pl.Date), column.is_null()


def _recorded(schema: pl.Schema, tz: str, batch: pl.DataFrame) -> tuple[pl.Expr, pl.Expr]:
    """``recorded_at`` in UTC (by default the start of ``occurred_on`` in the handbook's zone), and whether a
    given value converted here."""
    default = pl.col("occurred_on").cast(pl.Datetime("us")).dt.replace_time_zone(tz).dt.convert_time_zone("UTC")
    default = default.cast(UTC_INSTANT)
    if "recorded_at" not in schema:
        return default, pl.lit(True)
    if not batch["recorded_at"].null_count():
        default = pl.lit(None, dtype=UTC_INSTANT)  # every record gives its own
    column, dtype = pl.col("_raw_recorded_at"), schema["recorded_at"]
    given: pl.Expr = pl.lit(None, dtype=UTC_INSTANT)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone:
        given = column.dt.convert_time_zone("UTC")
    elif isinstance(dtype, pl.Datetime):
        given = column.dt.replace_time_zone(tz, ambiguous="null", non_existent="null")
    elif dtype == pl.Date:
        given = column.cast(pl.Datetime("us")).dt.replace_time_zone(tz, non_existent="null")
    elif isinstance(dtype, TEXT_TYPES):
        given = _moment_text(column.cast(pl.String), tz)
    given = given.dt.convert_time_zone("UTC").cast(UTC_INSTANT)
    inside = given.dt.year().is_between(YEARS[0] + 1, YEARS[1] - 1)  # near the ends, the validator decides
    return pl.coalesce(given, default), column.is_null() | inside.fill_null(False)


# ISO forms read over columns exactly as ``records.parse.parse_moment`` reads them (anything else: per record)
_CLOCK = r"^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?"
AWARE, NAIVE, DAY = _CLOCK + r"(Z|[+-]\d{2}:\d{2})$", _CLOCK + "$", r"^\d{4}-\d{2}-\d{2}$"


def _moment_text(text: pl.Expr, tz: str) -> pl.Expr:
    """An ISO date-time with offset (or ``Z``), a naive one (in ``tz``), or a date (its start in ``tz``);
    null for any other text."""
    aware = text.str.replace("Z$", "+00:00").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_unit="us")
    naive = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
    day = text.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us"))
    local = (pl.when(text.str.contains(NAIVE)).then(naive).when(text.str.contains(DAY)).then(day)).dt.replace_time_zone(
        tz, ambiguous="null", non_existent="null"
    )
    return pl.when(text.str.contains(AWARE)).then(aware.dt.convert_time_zone(tz)).otherwise(local)


def _points(batch: pl.DataFrame) -> tuple[pl.Expr, pl.Expr]:
    """Points in hundredths, and whether a given value was exact to 0.01 (others go the slow path)."""
    if "points" not in batch.columns:
        return pl.lit(None, dtype=pl.Int64), pl.lit(True)
    column, dtype = pl.col("points"), batch.schema["points"]
    if isinstance(dtype, INT_TYPES) or (isinstance(dtype, pl.Decimal) and (dtype.scale or 0) <= 2):
        # exact; hundredths beyond a 64-bit integer are left to the validator (which words the rule's range)
        exact = column.cast(pl.Decimal(38, 2), strict=False)
        hundredths = pl.when(exact.abs() <= MAX_POINTS).then((exact * 100).cast(pl.Int64, strict=False))
        return hundredths, column.is_null() | hundredths.is_not_null()
    if not isinstance(dtype, (*TEXT_TYPES, pl.Float32, pl.Float64, pl.Decimal)):  # lists, booleans: per record
        return pl.lit(None, dtype=pl.Int64), column.is_null()
    distinct = batch["points"].drop_nulls().unique().to_list()
    cents = {value: _cents_or_none(value) for value in distinct}
    mapped = column.replace_strict(list(cents), list(cents.values()), default=None, return_dtype=pl.Int64)
    return mapped, column.is_null() | mapped.is_not_null()


def _cents_or_none(value: object) -> int | None:
    """Hundredths, or None when not exact or beyond a 64-bit integer (the per-record path words either)."""
    try:
        cents = to_cents(value)
    except ValueError:
        return None
    return cents if fits_int64(cents) else None


def fits_int64(cents: int) -> bool:
    """Whether a frame's Int64 points column can hold these hundredths."""
    return INT64[0] <= cents <= INT64[1]


def _evidence_ok(schema: pl.Schema) -> pl.Expr:
    """Absent, or a list of ``{sha256, media_type}`` with 64 hex digits each."""
    if "evidence" not in schema:
        return pl.lit(True)
    column, dtype = pl.col("evidence"), schema["evidence"]
    if not (isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)):
        return column.is_null()
    names = [entry.name for entry in dtype.inner.fields]
    if "sha256" not in names or "media_type" not in names:
        return column.is_null()
    digest = pl.element().struct.field("sha256").cast(pl.String).str.contains(SHA256).fill_null(False)
    return column.is_null() | column.list.eval(digest).list.all().fill_null(False)


def _shape_checks(kinds: tuple[str, ...]) -> pl.Expr:
    kind, ref, subject = pl.col("_kind"), pl.col("ref"), pl.col("subject")
    return (
        kind.is_not_null()
        & pl.col("_status").is_not_null()
        & pl.col("id").is_not_null()
        & pl.col("source").is_not_null()
        & (subject.is_null() | pl.col("subject_kind").is_in([KIND_CODES[kind] for kind in kinds]).fill_null(False))
        & ((kind != FACT) | subject.is_not_null())
        & (kind == FACT).eq(ref.is_null())
        & ((kind > CORRECT) | pl.col("rule").is_not_null())
        & pl.col("occurred_on").is_not_null()
    )


def _rule_checks(policy: Policy) -> pl.Expr:
    """``rule_problems`` over columns (``_rule_index``: index of the rule, null when unknown): rule known,
    source allowed, subject kind, points, document."""
    checked = pl.col("_kind") <= CORRECT
    rule = pl.col("_rule_index")
    rules = policy.rules

    def attr(values: list[object], dtype: pl.DataType) -> pl.Expr:
        return pl.lit(pl.Series(values, dtype=dtype)).gather(rule)

    fixed = attr([None if r.discretionary else r.points for r in rules], pl.Int64())
    low = attr([r.points[0] if isinstance(r.points, tuple) else None for r in rules], pl.Int64())
    high = attr([r.points[1] if isinstance(r.points, tuple) else None for r in rules], pl.Int64())
    document = attr([r.requires_document for r in rules], pl.Boolean())
    points = pl.col("points")
    points_ok = (
        pl.when(fixed.is_not_null())
        .then(points.is_null() | (points == fixed))
        .otherwise(points.is_between(low, high) & pl.col("reason").is_not_null())
    )
    good = (
        rule.is_not_null()
        & _sources_ok(policy, rule)
        & _kinds_ok(policy, rule)
        & points_ok
        & (~document | pl.col("document").is_not_null())
    )
    return ~checked | good.fill_null(False)


def _sources_ok(policy: Policy, rule: pl.Expr) -> pl.Expr:
    """The source may report the rule: the rule names no sources, or (rule, source) is an allowed pair (a
    lookup in a rules × named-sources table; a source no rule names is allowed only by open rules)."""
    named = sorted({source for entry in policy.rules for source in entry.sources or ()})
    width = len(named) + 1  # the last column: a source no rule names
    allowed = [
        entry.sources is None or (column < len(named) and named[column] in entry.sources)
        for entry in policy.rules
        for column in range(width)
    ]
    column = pl.col("source").replace_strict(named, list(range(len(named))), default=len(named), return_dtype=pl.Int64)
    return pl.lit(pl.Series(allowed, dtype=pl.Boolean)).gather(rule.cast(pl.Int64) * width + column)


def _kinds_ok(policy: Policy, rule: pl.Expr) -> pl.Expr:
    """The rule applies to the subject's kind (persons or organisations), when the record names a subject:
    a lookup in a rules × kind-codes table."""
    width = max(KIND_CODES.values()) + 1
    allowed = [
        not entry.subjects or any(KIND_CODES[kind] == code for kind in entry.subjects)
        for entry in policy.rules
        for code in range(width)
    ]
    kind = pl.col("subject_kind").cast(pl.Int64)
    at = pl.lit(pl.Series(allowed, dtype=pl.Boolean)).gather(rule.cast(pl.Int64) * width + kind)
    return kind.is_null() | at
