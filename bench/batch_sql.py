"""The PostgreSQL peer of the batch-scoring benchmark: the records loaded with COPY, standings by one query.

The query computes the subset described in ``bench.batch_peers`` (visibility, confirmed or contested
facts, withdrawals, notice start, expiry, caps with clipping per calendar period, sum, clamp, grade bands
and ceilings) into an unlogged table ``bench_out (subject, points, grade)``.
"""

from __future__ import annotations

import io
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from socialcredit.policy.model import Policy

from bench.batch_peers import PEER_COLUMNS, rule_rows

URL = os.environ.get("SOCIALCREDIT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

SCHEMA = """
DROP TABLE IF EXISTS bench_records, bench_rules, bench_grades, bench_out;
CREATE UNLOGGED TABLE bench_records (
    source text, id text, subject text, kind text, ref text, rule text,
    occurred_on date, recorded_at timestamptz, points_cents bigint, status text
);
CREATE UNLOGGED TABLE bench_rules (
    rule text PRIMARY KEY, fixed_cents bigint, counts_months int, counts_days int, has_notice boolean,
    notice_months int, notice_days int, cap_per text, cap_count int, cap_cents bigint, ceiling_rank int
);
CREATE UNLOGGED TABLE bench_grades (rank int PRIMARY KEY, name text, min_cents bigint);
"""

QUERY = """
CREATE UNLOGGED TABLE bench_out AS
WITH withdrawn AS (
    SELECT DISTINCT source, ref FROM bench_records WHERE kind = 'withdraw' AND recorded_at <= %(known)s
),
facts AS (
    SELECT f.subject, f.source, f.id, f.rule, f.occurred_on,
           COALESCE(u.fixed_cents, f.points_cents) AS cents,
           CASE WHEN u.has_notice
                THEN (f.occurred_on + make_interval(months => u.notice_months))::date + u.notice_days
                ELSE f.occurred_on END AS starts_on,
           (f.occurred_on + make_interval(months => u.counts_months))::date + u.counts_days AS ends_on,
           u.cap_per, u.cap_count, u.cap_cents, u.ceiling_rank
    FROM bench_records f
    JOIN bench_rules u ON u.rule = f.rule
    LEFT JOIN withdrawn w ON w.source = f.source AND w.ref = f.id
    WHERE f.kind = 'fact' AND f.recorded_at <= %(known)s AND f.status IN ('confirmed', 'contested')
      AND w.ref IS NULL
),
in_force AS (
    SELECT *, date_trunc(COALESCE(cap_per, 'year'), occurred_on) AS period
    FROM facts WHERE starts_on <= %(as_of)s AND %(as_of)s < ends_on
),
ranked AS (
    SELECT *, row_number() OVER w AS position, sum(cents) OVER w AS running
    FROM in_force WINDOW w AS (PARTITION BY subject, rule, period ORDER BY occurred_on, source, id)
),
crossed AS (
    SELECT *, bool_or(abs(running) >= cap_cents) OVER (
        PARTITION BY subject, rule, period ORDER BY occurred_on, source, id
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
    FROM ranked
),
contributions AS (
    SELECT subject, ceiling_rank,
           CASE WHEN cap_count IS NOT NULL AND position > cap_count THEN 0
                WHEN cap_cents IS NOT NULL AND COALESCE(before, false) THEN 0
                WHEN cap_cents IS NOT NULL AND abs(running) >= cap_cents
                     THEN sign(running) * cap_cents - (running - cents)
                ELSE cents END AS cents
    FROM crossed
),
totals AS (
    SELECT s.subject,
           LEAST(GREATEST(%(start)s + COALESCE(sum(c.cents), 0), %(low)s), %(high)s) AS points,
           max(c.ceiling_rank) AS ceiling
    FROM (SELECT DISTINCT subject FROM bench_records WHERE subject IS NOT NULL) s
    LEFT JOIN contributions c USING (subject)
    GROUP BY s.subject
)
SELECT t.subject, t.points, g.name AS grade
FROM totals t
CROSS JOIN LATERAL (
    SELECT rank FROM bench_grades WHERE min_cents IS NULL OR min_cents <= t.points ORDER BY rank LIMIT 1
) band
JOIN bench_grades g ON g.rank = GREATEST(band.rank, COALESCE(t.ceiling, 0))
"""


def connect() -> Any:
    import psycopg

    return psycopg.connect(URL, autocommit=True)


def load(files: list[Path], policy: Policy) -> int:
    """Create the tables and COPY the records in (CSV, one file at a time); returns the rows loaded."""
    rows = 0
    with connect() as conn:
        conn.execute(SCHEMA)
        with conn.cursor() as cursor:
            for item in rule_rows(policy):
                columns = ", ".join(item)
                cursor.execute(
                    f"INSERT INTO bench_rules ({columns}) VALUES ({', '.join(['%s'] * len(item))})", list(item.values())
                )
            for rank, grade in enumerate(policy.grades):
                cursor.execute("INSERT INTO bench_grades VALUES (%s, %s, %s)", (rank, grade.name, grade.min))
            for file in files:
                rows += _copy(cursor, file)
        conn.execute("ANALYZE bench_records")
    return rows


def _copy(cursor: Any, file: Path) -> int:
    frame = pl.read_parquet(file, columns=PEER_COLUMNS).with_columns(
        (pl.col("points") * 100).cast(pl.Int64).alias("points")
    )
    sql = (
        "COPY bench_records (source, id, subject, kind, ref, rule, occurred_on, recorded_at, points_cents, status)"
        " FROM STDIN (FORMAT csv)"
    )
    for start in range(0, frame.height, 500_000):
        buffer = io.BytesIO()
        frame.slice(start, 500_000).write_csv(buffer, include_header=False)
        with cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())
    return frame.height


def sql_scores(policy: Policy, as_of: date, known_at: datetime) -> int:
    """Run the query into ``bench_out``; returns the number of subjects."""
    scale = policy.scale
    with connect() as conn:
        conn.execute("SET work_mem = '256MB'")
        conn.execute("DROP TABLE IF EXISTS bench_out")
        conn.execute(
            QUERY, {"known": known_at, "as_of": as_of, "start": scale.start, "low": scale.min, "high": scale.max}
        )
        return int(conn.execute("SELECT count(*) FROM bench_out").fetchone()[0])


def sql_result() -> pl.DataFrame:
    """``bench_out`` as a frame (subject, points in hundredths, grade)."""
    with connect() as conn:
        rows = conn.execute("SELECT subject, points, grade FROM bench_out").fetchall()
    return pl.DataFrame(rows, schema={"subject": pl.String, "points": pl.Int64, "grade": pl.String}, orient="row")


def drop() -> None:
    with connect() as conn:
        conn.execute("DROP TABLE IF EXISTS bench_records, bench_rules, bench_grades, bench_out")
