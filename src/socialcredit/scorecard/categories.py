"""Which columns may become characteristics: the declared category table and the refusals (DESIGN §5.3).

Every feature column needs a category from the project's whitelist. A refused category stops training
with its reason, and so does a column whose *name* shows a protected characteristic, whatever category
the table claims for it. ``--exclude`` drops columns before any of these checks.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from socialcredit.errors import InvalidInput, RefusedByDesign, UserError
from socialcredit.policy.categories import ALLOWED_CATEGORIES, REFUSED_CATEGORIES, refusal_reason
from socialcredit.scorecard.table import invalid

# Column-name patterns (on the lower-cased name, words joined by "_") and the refused category they show.
PROTECTED_NAMES: tuple[tuple[str, str], ...] = (
    (r"personal_status|marital|civil_status|spouse", "marital-status"),
    (r"(^|_)(sex|gender)(_|$)", "sex"),
    (r"sexual", "sexuality"),
    (r"ethnic|(^|_)(race|racial)(_|$)", "ethnicity"),
    (r"religio|(^|_)(faith|belief)", "religion"),
    (r"nationalit|citizenship|foreign_worker|(^|_)immigra", "nationality"),
    (r"health|disab|pregnan|(^|_)(medical|diagnos)", "health"),
    (r"genetic|(^|_)dna(_|$)", "genetic"),
    (r"biometric|fingerprint", "biometric"),
    (r"politic", "political"),
    (r"(^|_)relatives(_|$)", "relatives"),
)


@dataclass(frozen=True)
class FeaturePlan:
    """Features to train on (name → category) and columns left out, each with why."""

    features: dict[str, str]
    excluded: dict[str, str]


def load_category_table(path: Path) -> dict[str, str]:
    """Read the flat TOML table ``column = "category"``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserError(f"--categories: cannot read {path}: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise invalid(f"{path}: not valid TOML: {error}") from None
    problems = [
        f"{path}: {key}: category must be a string, got {type(value).__name__}"
        for key, value in data.items()
        if not isinstance(value, str)
    ]
    if problems:
        raise InvalidInput(f"{path}: invalid category table", details=problems)
    return dict(data)


def protected_by_name(column: str) -> str | None:
    """The refused category a column's name shows (``personal_status_and_sex`` → marital-status), if any."""
    name = re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")
    for pattern, category in PROTECTED_NAMES:
        if re.search(pattern, name):
            return category
    return None


def plan_features(
    columns: list[str], target: str, table: dict[str, str], exclude: list[str], table_name: str = "categories"
) -> FeaturePlan:
    """Check every feature column; raise one error listing every refused, missing or unknown entry."""
    unknown = [name for name in exclude if name not in columns]
    if unknown:
        raise UserError(f"--exclude: no column named {', '.join(map(repr, unknown))} in the data")
    excluded = {name: "excluded on the command line (--exclude)" for name in exclude if name != target}
    refused: list[str] = []
    unfit: list[str] = []
    features: dict[str, str] = {}
    for column in columns:
        if column == target or column in excluded:
            continue
        shown = protected_by_name(column)
        category = table.get(column)
        if shown is not None:
            refused.append(
                f"{column}: refused — its name shows a protected characteristic ({shown}): {refusal_reason(shown)}"
                f"{_declared(category)}; drop it with --exclude {column}"
            )
        elif category is None:
            unfit.append(f"{column}: no category in {table_name}; every feature needs one (or --exclude it)")
        elif category in REFUSED_CATEGORIES:
            refused.append(
                f"{column}: refused — category {category!r}: {refusal_reason(category)}; "
                f"drop it with --exclude {column}"
            )
        elif category not in ALLOWED_CATEGORIES:
            unfit.append(f"{column}: unknown category {category!r}; allowed: {', '.join(sorted(ALLOWED_CATEGORIES))}")
        else:
            features[column] = category
    if refused:
        raise RefusedByDesign(f"training refused: {len(refused)} feature(s) may not be scored", details=refused + unfit)
    if unfit:
        raise InvalidInput(f"category table {table_name}: {len(unfit)} problem(s)", details=unfit)
    if not features:
        raise UserError("no feature columns left to train on")
    return FeaturePlan(features=features, excluded=excluded)


def _declared(category: str | None) -> str:
    return f" (the table declares {category!r}, which does not change that)" if category else ""
