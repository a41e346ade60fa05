"""Dashboards: grade distribution, monthly trend, most frequent rules, by village, list sizes (SVG charts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from socialcredit.api.deps import reading
from socialcredit.platform.handbooks.service import active_policy
from socialcredit.web import charts, dashboard_data
from socialcredit.web.guard import require
from socialcredit.web.i18n import Translator
from socialcredit.web.render import language, page

router = APIRouter(include_in_schema=False)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    require(request, "dashboard.read")
    _ = Translator(language(request))
    with reading(request) as session:
        policy = active_policy(session)
        since = datetime.now(ZoneInfo(policy.policy.timezone)).date().replace(day=1) - timedelta(days=365)
        data = dashboard_data.figures(session, policy, since=since)
    start = policy.scale.start / 100
    trend = {_("dashboard.good"): data.trend["+"], _("dashboard.bad"): data.trend["-"]}
    return page(
        request,
        "dashboard.html",
        data=data,
        grades=charts.bars(data.grades, title=_("dashboard.grades"), colours=charts.GRADE_COLOURS),
        trend=charts.lines(data.months, trend, title=_("dashboard.trend")),
        rules=charts.hbars(data.rules, title=_("dashboard.rules")),
        villages=charts.hbars(data.villages, title=_("dashboard.villages"), base=start),
        start=f"{start:g}",
        lists=charts.hbars(data.lists, title=_("dashboard.lists")),
    )
