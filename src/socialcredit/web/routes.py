"""Every router of the web application, in the order they are mounted."""

from __future__ import annotations

from fastapi import APIRouter

from socialcredit.web import assessor, evidence, portal, public, review, subjects

ROUTERS: list[APIRouter] = [
    public.router,
    subjects.router,
    assessor.router,
    review.router,
    portal.router,
    evidence.router,
]
