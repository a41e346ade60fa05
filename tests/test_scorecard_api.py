"""The scorecard over HTTP: ``POST /api/v1/scorecard/score`` and the ``/me/scorecard`` page. Opt-in (consent
first), a subject only about itself, bad features named; the page explains the score with its reasons."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from platform_support import Setup, bearer
from socialcredit.scorecard import Scorecard, score_features
from socialcredit.settings import SHIPPED_SCORECARD
from test_platform_access import login

from conftest import PERSON, PERSON2

FEATURES: dict[str, Any] = {
    "status_of_existing_checking_account": "... < 0 DM",
    "duration_in_month": 30,
    "credit_history": "existing credits paid back duly till now",
    "purpose": "education",
    "credit_amount": 5000,
    "savings_account_and_bonds": "... < 100 DM",
    "present_employment_since": "... < 1 year",
    "installment_rate_in_percentage_of_disposable_income": 4,
    "property": "unknown / no property",
    "age_in_years": 23,
    "other_installment_plans": "bank",
    "housing": "rent",
}
URL = "/api/v1/scorecard/score"


def consent(platform: Setup, subject: str, given: bool = True) -> None:
    from socialcredit.platform.subjects import service as subjects

    with platform.unit() as session:
        subjects.ensure_subjects(session, [subject])
        subjects.set_consent(session, actor=platform.admin, identifier=subject, given=given)


@pytest.fixture
def clerk(platform: Setup) -> dict[str, str]:
    return bearer(platform.key("clerk-key", "clerk"))


def test_a_clerk_scores_a_consenting_subject(platform: Setup, api: TestClient, clerk: dict[str, str]) -> None:
    consent(platform, PERSON)
    answer = api.post(URL, json={"subject": PERSON, "features": FEATURES}, headers=clerk)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = score_features(Scorecard.load(SHIPPED_SCORECARD), FEATURES)
    assert body["subject"] == PERSON
    assert (body["score"], body["band"]) == (expected.score, expected.band)
    assert 350 <= body["score"] <= 950
    assert len(body["reasons"]) == 4 and all(r["sentence"] and r["improve"] for r in body["reasons"])
    assert body["reasons"][0]["points_lost"] >= body["reasons"][-1]["points_lost"] > 0
    assert body["next_band"]["band"] != body["band"]


def test_without_consent_nothing_is_scored(platform: Setup, api: TestClient, clerk: dict[str, str]) -> None:
    consent(platform, PERSON2, given=False)
    for subject in (PERSON, PERSON2):  # never consented; consent withdrawn
        answer = api.post(URL, json={"subject": subject, "features": FEATURES}, headers=clerk)
        assert answer.status_code == 409
        error = answer.json()["error"]
        assert error["code"] == "consent-required" and "consented" in error["message"]
    consent(platform, PERSON2)
    assert api.post(URL, json={"subject": PERSON2, "features": FEATURES}, headers=clerk).status_code == 200


@pytest.mark.parametrize("role", ["reviewer", "relying-party", "source", "auditor"])
def test_other_roles_are_refused(platform: Setup, api: TestClient, role: str) -> None:
    consent(platform, PERSON)
    headers = bearer(platform.source("police") if role == "source" else platform.key(f"{role}-key", role))
    answer = api.post(URL, json={"subject": PERSON, "features": FEATURES}, headers=headers)
    assert answer.status_code == 403 and answer.json()["error"]["details"] == {"action": "scorecard.score"}
    assert api.post(URL, json={"subject": PERSON, "features": FEATURES}).status_code == 401


def test_a_subject_scores_only_itself(platform: Setup, api: TestClient) -> None:
    consent(platform, PERSON)
    consent(platform, PERSON2)
    platform.user("zhang", "subject", subject=PERSON)
    headers = {"X-CSRF-Token": login(api, "zhang")}
    mine = api.post(URL, json={"features": FEATURES}, headers=headers)
    assert mine.status_code == 200 and mine.json()["subject"] == PERSON
    other = api.post(URL, json={"subject": PERSON2, "features": FEATURES}, headers=headers)
    assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"duration_in_month": "thirty"}, "'duration_in_month'"),
        ({"age_in_years": True}, "'age_in_years'"),
        ({"housing": None, "property": ...}, "'property' is missing"),
    ],
)
def test_bad_features_are_named(
    platform: Setup, api: TestClient, clerk: dict[str, str], change: dict[str, Any], named: str
) -> None:
    consent(platform, PERSON)
    features = {k: v for k, v in {**FEATURES, **change}.items() if v is not ...}
    answer = api.post(URL, json={"subject": PERSON, "features": features}, headers=clerk)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid" and any(named in line for line in error["details"]), error


def test_a_clerk_must_name_the_subject(platform: Setup, api: TestClient, clerk: dict[str, str]) -> None:
    answer = api.post(URL, json={"features": FEATURES}, headers=clerk)
    assert answer.status_code == 422 and answer.json()["error"]["details"] == ["subject: required"]


def test_the_page_explains_the_score(platform: Setup, api: TestClient) -> None:
    platform.user("zhang", "subject", subject=PERSON)
    token = login(api, "zhang")
    assert 'href="/me/scorecard"' in api.get("/me").text
    form = api.get("/me/scorecard")
    assert form.status_code == 200 and 'name="duration_in_month"' in form.text
    data = {"csrf_token": token, **{k: str(v) for k, v in FEATURES.items()}}
    refused = api.post("/me/scorecard", data=data)
    assert refused.status_code == 409 and 'data-testid="consent-needed"' in refused.text
    consent(platform, PERSON)
    shown = api.post("/me/scorecard", data=data)
    assert shown.status_code == 200, shown.text
    expected = score_features(Scorecard.load(SHIPPED_SCORECARD), FEATURES)
    assert f'data-testid="score">{expected.score}<' in shown.text
    assert shown.text.count('data-testid="reason"') == 4
    assert all(r.code in shown.text for r in expected.reasons)
    assert 'value="30"' in shown.text  # the form stays filled in
    bad = api.post("/me/scorecard", data={**data, "credit_amount": "lots"})
    assert bad.status_code == 422 and "credit_amount" in bad.text


def test_the_page_is_for_subjects(platform: Setup, api: TestClient) -> None:
    platform.user("li", "reviewer")
    login(api, "li")
    assert api.get("/me/scorecard").status_code == 403
