"""Bulk screening: many identifiers against one snapshot for one service, as Polars joins.

Identifiers are normalised (spaces and dashes dropped, upper-cased) and joined on the snapshot's keys
(national ids and passport numbers); the profile each key maps to gives the decision. An identifier the
snapshot does not hold is ``allow`` when it is a well-formed national id (check digit verified, vectorised)
or passport number, and ``invalid`` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from socialcredit.identity import PASSPORT_PATTERN, USCC_ALPHABET
from socialcredit.platform.checks.snapshot import ALLOW, CheckSnapshot

if TYPE_CHECKING:
    import polars as pl

INVALID = "invalid"
SEED = 20130601  # hash seed of the key join
RIC_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
RIC_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_USCC_VALUE = np.full(256, -1, dtype=np.int64)
for _index, _char in enumerate(USCC_ALPHABET):
    _USCC_VALUE[ord(_char)] = _index
_USCC_CHAR = np.frombuffer(USCC_ALPHABET.encode("ascii"), dtype=np.uint8)


def keys_frame(snapshot: CheckSnapshot) -> pl.DataFrame:
    """``key → subject, profile`` (index into ``snapshot.profiles``), built once per snapshot."""
    import polars as pl

    cached = snapshot.cache.get("keys")
    if cached is None:
        index = {id(profile): position for position, profile in enumerate(snapshot.profiles)}
        keys, subjects, profiles = [], [], []
        for key, (subject, profile) in snapshot.items():
            keys.append(key)
            subjects.append(subject)
            profiles.append(index[id(profile)])
        schema = {"key": pl.String, "subject": pl.String, "profile": pl.UInt32}
        cached = pl.DataFrame({"key": keys, "subject": subjects, "profile": profiles}, schema=schema)
        cached = cached.unique("key", keep="last").with_columns(hash=pl.col("key").hash(SEED))
        snapshot.cache["keys"] = cached
        snapshot.cache["hashed"] = cached["hash"].n_unique() == cached.height  # no two keys share a hash
    return cached


def service_frame(snapshot: CheckSnapshot, service: str) -> pl.DataFrame:
    """Row ``i``: decision, measures, lists (``;``-joined) of profile ``i``; then unknown (allow), then invalid."""
    import polars as pl

    cached = snapshot.cache.get(f"service:{service}")
    if cached is None:
        rows = [
            (verdict.decision, ";".join(m.id for m in verdict.measures), ";".join(verdict.lists))
            for profile in snapshot.profiles
            for verdict in (profile.verdict(service),)
        ]
        rows += [(ALLOW, "", ""), (INVALID, "", "")]
        schema = {"decision": pl.String, "measures": pl.String, "lists": pl.String}
        cached = pl.DataFrame(rows, schema=schema, orient="row")
        snapshot.cache[f"service:{service}"] = cached
    return cached


def normalised(identifiers: pl.Series) -> pl.Series:
    """Stripped and upper-cased; inner spaces and dashes dropped (full-width forms are for single checks)."""
    import polars as pl

    keys = identifiers.cast(pl.String).fill_null("").str.strip_chars().str.to_uppercase()
    inner = np.flatnonzero(keys.str.contains_any([" ", "-", "\t", "\n", "\r"]).to_numpy())
    if inner.size:
        rows = pl.Series(inner, dtype=pl.UInt32)
        keys = keys.scatter(rows, keys.gather(rows).str.replace_all(r"[\s\-]", ""))
    return keys


def well_formed(keys: pl.Series) -> np.ndarray:
    """True where a key is a resident identity number or credit code with a right check digit, or a passport."""
    import polars as pl

    long = (keys.str.len_bytes() == 18).to_numpy()
    valid = np.zeros(len(keys), dtype=bool)
    rows = np.flatnonzero(long)
    if rows.size:
        columns = _columns(keys if rows.size == len(keys) else keys.gather(pl.Series(rows, dtype=pl.UInt32)))
        person = _ric_ok(columns)
        valid[rows] = person
        rest = np.flatnonzero(~person)
        if rest.size:
            valid[rows[rest]] = _uscc_ok(np.ascontiguousarray(columns[:, rest]))
    short = np.flatnonzero(~long)
    if short.size:
        others = keys.gather(pl.Series(short, dtype=pl.UInt32))
        valid[short] = others.str.contains(PASSPORT_PATTERN.pattern).to_numpy()
    return valid


def _columns(keys: pl.Series) -> np.ndarray:
    """The keys (18 bytes each) as an 18 × n array of bytes, read straight from the Arrow buffers."""
    import pyarrow as pa

    array = keys.to_arrow()
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type != pa.large_string():
        array = array.cast(pa.large_string())
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return np.ascontiguousarray(data.reshape(-1, 18).T)


def _ric_ok(columns: np.ndarray) -> np.ndarray:
    """GB 11643: 17 digits and the ISO 7064 MOD 11-2 check character."""
    total = np.zeros(columns.shape[1], dtype=np.int32)
    ok = np.ones(columns.shape[1], dtype=bool)
    for position, weight in enumerate(RIC_WEIGHTS):
        digit = columns[position].astype(np.int32) - 48
        ok &= (digit >= 0) & (digit <= 9)
        total += digit * int(weight)
    return ok & (RIC_CHECK[total % 11] == columns[17])


def _uscc_ok(columns: np.ndarray) -> np.ndarray:
    """GB 32100: 18 characters of the code alphabet and the MOD 31 check character."""
    total = np.zeros(columns.shape[1], dtype=np.int32)
    ok = _USCC_VALUE[columns[17]] >= 0
    for position, weight in enumerate(USCC_WEIGHTS):
        value = _USCC_VALUE[columns[position]]
        ok &= value >= 0
        total += value.astype(np.int32) * int(weight)
    return ok & (_USCC_CHAR[(31 - total % 31) % 31] == columns[17])


def screen(snapshot: CheckSnapshot, identifiers: pl.Series | Sequence[str], service: str) -> pl.DataFrame:
    """One row per identifier, in input order: ``identifier, key, subject, decision, measures, lists``.

    ``key`` is the normalised identifier; ``subject`` the national id it names on the platform (null when the
    snapshot holds nothing on it; not for the relying party's eyes).
    """
    import polars as pl

    given = identifiers if isinstance(identifiers, pl.Series) else pl.Series("identifier", list(identifiers))
    keys = normalised(given)
    unknown = len(snapshot.profiles)
    found = _found(snapshot, keys)
    profile = found["profile"].fill_null(unknown).to_numpy().copy()
    missing = np.flatnonzero(profile == unknown)
    if missing.size:
        bad = ~well_formed(keys.gather(pl.Series(missing, dtype=pl.UInt32)))
        profile[missing[bad]] = unknown + 1
    decided = service_frame(snapshot, service)[profile]
    return (
        decided.insert_column(0, found["subject"])
        .insert_column(0, keys.alias("key"))
        .insert_column(0, given.alias("identifier"))
    )


def _found(snapshot: CheckSnapshot, keys: pl.Series) -> pl.DataFrame:
    """The subject and profile index of each key (nulls when the snapshot does not hold it), joining on 64-bit
    hashes; a hash match is confirmed by comparing the keys themselves, so a collision is never a false match.
    """
    import polars as pl

    frame = keys_frame(snapshot)
    if not snapshot.cache["hashed"]:
        probe = pl.DataFrame({"key": keys})
        joined = probe.join(frame.drop("hash"), on="key", how="left", maintain_order="left")
        return joined.select("subject", "profile")
    probe = pl.DataFrame({"hash": keys.hash(SEED), "given": keys})
    joined = probe.join(frame, on="hash", how="left", maintain_order="left")
    same = pl.col("key") == pl.col("given")
    return joined.select(
        pl.when(same).then(pl.col("subject")).alias("subject"), pl.when(same).then(pl.col("profile")).alias("profile")
    )
