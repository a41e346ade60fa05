"""Every router of the web application, in the order they are mounted."""

from __future__ import annotations

from fastapi import APIRouter

from socialcredit.web import (
    admin,
    assessor,
    checks,
    dashboard,
    evidence,
    handbooks,
    portal,
    public,
    public_lists,
    review,
    scorecard,
    source_desk,
    subjects,
)

ROUTERS: list[APIRouter] = [
    public.router,
    public_lists.router,
    subjects.router,
    assessor.router,
    review.router,
    portal.router,
    scorecard.router,
    checks.router,
    source_desk.router,
    dashboard.router,
    handbooks.router,
    admin.router,
    evidence.router,
]
