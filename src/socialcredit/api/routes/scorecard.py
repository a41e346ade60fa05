"""``POST /api/v1/scorecard/score``: a consenting subject's features → score, band, reasons and next band.

The scorecard is opt-in: only a subject whose latest consent to scoring is *given* is scored (409
``consent-required`` otherwise). A subject scores only itself; a clerk scores any consenting subject.
Nothing is stored: the features are scored and returned, never written.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from socialcredit.access import Actor
from socialcredit.api.deps import Allowed, guard, reading, required, settings
from socialcredit.db.base import utcnow
from socialcredit.errors import Conflict, Forbidden, InvalidInput, NotFound
from socialcredit.platform.subjects import service as subjects

if TYPE_CHECKING:
    from socialcredit.scorecard import Scorecard, ScoreResult

router = APIRouter(tags=["scorecard"])

Value = str | int | float | bool | None


class ConsentRequired(Conflict):
    """The subject has not consented to scoring (or has withdrawn it)."""

    code = "consent-required"


class ScoreIn(BaseModel):
    subject: str | None = Field(
        default=None, max_length=64, description="National identifier or passport; a subject may omit it."
    )
    features: dict[str, Value] = Field(description="Every characteristic of the model → its value.")


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> Scorecard:
    from socialcredit.scorecard import Scorecard

    return Scorecard.load(path)


def scorecard_of(request: Request) -> Scorecard:
    """The configured scorecard, loaded once (again only if its file changes)."""
    path = settings(request).scorecard_model
    if path is None or not path.is_file():
        raise NotFound("no scorecard model is configured (set SOCIALCREDIT_SCORECARD_MODEL to a model file)")
    return _load(path.resolve(), path.stat().st_mtime_ns)


def whom(actor: Actor, subject: str | None) -> str:
    """The subject to score: a subject scores only itself; anyone else must name one."""
    if actor.role == "subject":
        if subject is not None and subject != actor.subject:
            raise Forbidden("a subject may be scored only about itself", details={"subject": subject})
        subject = actor.subject
    if not subject:
        raise InvalidInput("name the subject to score", details=["subject: required"])
    return subject


def score_subject(request: Request, actor: Actor, subject: str | None, features: dict[str, Any]) -> dict[str, Any]:
    """Score a consenting subject's features; the result as JSON with the subject's identifier."""
    from socialcredit.scorecard import score_features

    with reading(request) as session:
        national_id = subjects.resolve(session, whom(actor, subject))
        consent = subjects.consents_at(session, [national_id], utcnow()).get(national_id, False)
    if not consent:
        how = f"give consent on the portal (/me#consent) or POST /api/v1/subjects/{national_id}/consent"
        raise ConsentRequired(
            f"subject {national_id} has not consented to scoring; the scorecard is opt-in",
            details={"subject": national_id, "how": how},
        )
    result: ScoreResult = score_features(scorecard_of(request), features)
    return {"subject": national_id, **result.model_dump(mode="json")}


@router.post("/scorecard/score", **guard("scorecard.score"))
def score(request: Request, actor: Allowed, body: ScoreIn) -> dict[str, Any]:
    """Score one consenting subject: score (350–950), band, the top four reasons (each with a plain sentence
    and what would improve it) and the smallest change that reaches the next band. Nothing is stored."""
    return score_subject(request, required(actor), body.subject, body.features)


def characteristics(model: Scorecard) -> list[dict[str, Any]]:
    """The model's characteristics as form fields: name, kind, category and (categorical) the known values."""
    return [
        {
            "name": c.name,
            "kind": c.kind,
            "category": c.category,
            "values": [v for item in c.bins for v in item.values or ()],
        }
        for c in model.spec.characteristics
    ]
