"""schemathesis against the OpenAPI document of the real server: no 5xx, no answer off the document.

Every operation of /api/schema/openapi.json is called over HTTP on a real `survey serve` (SQLite
and PostgreSQL), over the small demo Kommune of the portal tests with an open staff wave and an
open citizen wave added, with data schemathesis generates from the document: valid data
(positive) and data that breaks it (negative); without a session, and with the session (cookie
and X-CSRF-Token header) of a user whose roles reach the operation: the admin, and the
Personalrat for its approvals. Path parameters and the references of answers are generated, and
also taken from the Kommune (its units, waves, service points, unit link and invitation codes),
so that the calls reach the figures, forms and submissions behind them and not only their 404s.

Each answer is checked: not a server error, a status code and a content type the document
declares, a body that matches the document's schema for it. The test prints the figures
(operations, calls, 5xx, schema violations) and lists every violation.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from litestar.testing import AsyncTestClient
from portal_helpers import PASSWORD, QUESTIONNAIRES, sign_in
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: examples per operation, identity and kind of data: valid data, data that breaks the document
POSITIVE, NEGATIVE = 25, 10
HYPOTHESIS = settings(
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
STAFF_WAVE, CITIZEN_WAVE = "fuzz-puls", "fuzz-buerger"
SERVICE_POINTS = ["buergerbuero-mitte", "buergerbuero-nord"]


@dataclass
class Identity:
    """Who calls: nobody, or a user with a session cookie and its CSRF token."""

    name: str
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Tally:
    calls: int = 0
    server_errors: int = 0
    violations: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    nothing_to_break: set[str] = field(default_factory=set)

    def record(self, label: str, case: Any, response: Any, identity: Identity) -> None:
        self.calls += 1
        self.statuses[f"{label} {response.status_code}"] += 1
        if response.status_code >= 500:
            self.server_errors += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=identity.headers)
        except FailureGroup as group:
            self.violations += 1
            for failure in group.exceptions:
                key = f"{label} [{identity.name}] {failure.title}"
                self.failures.setdefault(key, f"{failure.message[:800]}\n{case.as_curl_command()}")


@dataclass
class Reachable:
    """What exists in the Kommune: staff invitation codes, a unit link, the citizen form's items."""

    codes: list[str]
    unit_link: str
    access_code: str
    units: list[str] = field(default_factory=list)
    waves: list[str] = field(default_factory=list)
    citizen_items: list[str] = field(default_factory=list)
    staff_items: list[str] = field(default_factory=list)
    #: the forms' submission keys (signed by the server: a made-up key is refused)
    submission_keys: list[str] = field(default_factory=list)


async def _open_waves(portal: Any, approve: Any) -> Reachable:
    """An open staff wave (Jugendamt) and an open citizen wave (the whole Verwaltung), as of today."""
    from survey.services.invitations import create_unit_link, issue_invitations
    from survey.services.waves import create_wave, open_wave

    today = dt.date.today()
    for key, questionnaire, unit in (
        (STAFF_WAVE, "staff-pulse", "jugendamt"),
        (CITIZEN_WAVE, "citizen-contact", "verwaltung"),
    ):
        await create_wave(
            key=key,
            questionnaires=QUESTIONNAIRES,
            questionnaire=questionnaire,
            version=None,
            units=[unit],
            opens_on=today - dt.timedelta(days=1),
            closes_on=today + dt.timedelta(days=30),
        )
        if questionnaire == "staff-pulse":
            await approve(key, QUESTIONNAIRES)
        await open_wave(key, today, QUESTIONNAIRES)
    codes = (await issue_invitations(portal.settings, STAFF_WAVE, "asd", 40)).codes
    link = await create_unit_link(portal.settings, STAFF_WAVE, "jugendamt")
    return Reachable(codes, link.url.rstrip("/").rsplit("/", 1)[-1], link.access_code)


def _sign_in(base: str, username: str) -> Identity:
    response = requests.post(
        f"{base}/api/v1/session", json={"username": username, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return Identity(
        username,
        {"lp_session": response.cookies["lp_session"]},
        {"X-CSRF-Token": response.json()["csrf_token"]},
    )


def _look_around(base: str, admin: Identity, reachable: Reachable) -> None:
    """The units, waves and the forms' items, as the API tells them."""
    units = requests.get(f"{base}/api/v1/units", cookies=admin.cookies, timeout=30).json()
    reachable.units = [u["key"] for u in units][:8]
    waves = requests.get(f"{base}/api/v1/waves", cookies=admin.cookies, timeout=30).json()
    reachable.waves = [w["key"] for w in waves]
    citizen = requests.get(f"{base}/api/v1/forms/service-points/{SERVICE_POINTS[0]}", timeout=30)
    assert citizen.status_code == 200, citizen.text
    reachable.citizen_items = [i["id"] for i in citizen.json()["questionnaire"]["items"]]
    staff = requests.get(f"{base}/api/v1/forms/unit-links/{reachable.unit_link}", timeout=30)
    assert staff.status_code == 200, staff.text
    reachable.staff_items = [i["id"] for i in staff.json()["questionnaire"]["items"]]
    for _ in range(20):
        form = requests.get(f"{base}/api/v1/forms/service-points/{SERVICE_POINTS[1]}", timeout=30).json()
        reachable.submission_keys.append(form["submission_key"])


def _known(path: str, reachable: Reachable) -> dict[str, list[Any]]:
    """Path parameters of `path` that exist."""
    units = [*reachable.units, "organisation"]
    return {
        "/api/v1/forms/service-points/{key}": {"key": SERVICE_POINTS},
        "/api/v1/forms/invitations/{code}": {"code": reachable.codes[:5]},
        "/api/v1/forms/unit-links/{token}": {"token": [reachable.unit_link]},
        "/api/v1/units/{unit}/figures": {"unit": units},
        "/api/v1/units/{unit}/comments": {"unit": units},
        "/api/v1/exports/aggregate/{unit}": {"unit": units},
        "/api/v1/waves/{key}/open": {"key": reachable.waves},
        "/api/v1/waves/{key}/close": {"key": reachable.waves},
        "/api/v1/approvals/waves/{key}": {"key": reachable.waves},
        "/api/v1/approvals/versions/{questionnaire}/{version}": {
            "questionnaire": ["staff-pulse", "citizen-contact"],
            "version": [1, 2, 3],
        },
    }.get(path, {})


def _answers(items: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Answers that fit any form (no answer is required: "keine Angabe"), or most likely do not."""
    value = st.one_of(st.none(), st.integers(min_value=-1, max_value=11), st.text(max_size=30))
    return st.dictionaries(st.sampled_from(items), st.none()) | st.dictionaries(
        st.sampled_from([*items, "gibt-es-nicht"]), value, max_size=len(items) + 1
    )


def _responses(reachable: Reachable) -> st.SearchStrategy[dict[str, Any]]:
    """Answers to the open waves, through each channel, often incomplete or out of the scale."""
    common = {
        "language": st.sampled_from(["de", "en", "tr", ""]),
        "submission_key": st.sampled_from(reachable.submission_keys) | st.text(max_size=40),
    }
    return st.one_of(
        st.fixed_dictionaries(
            {
                "channel": st.just("service_point"),
                "reference": st.sampled_from(SERVICE_POINTS),
                "answers": _answers(reachable.citizen_items),
                **common,
            }
        ),
        st.fixed_dictionaries(
            {
                "channel": st.just("invitation"),
                "reference": st.sampled_from(reachable.codes),
                "answers": _answers(reachable.staff_items),
                **common,
            }
        ),
        st.fixed_dictionaries(
            {
                "channel": st.just("unit"),
                "reference": st.just(reachable.unit_link),
                "access_code": st.sampled_from([reachable.access_code, "falsch"]),
                "answers": _answers(reachable.staff_items),
                **common,
            }
        ),
    )


def _strategy(operation: Any, mode: GenerationMode, reachable: Reachable) -> st.SearchStrategy[Any]:
    """Generated cases, and in positive mode as many again aimed at what exists."""
    generated = operation.as_strategy(generation_mode=mode)
    if mode is not GenerationMode.POSITIVE:
        return generated
    known = _known(operation.path, reachable)
    if known:
        aimed = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in known.items()})
        return generated | aimed.flatmap(
            lambda values: operation.as_strategy(generation_mode=mode, path_parameters=values)
        )
    bodies = {"/api/v1/responses": _responses(reachable), "/api/v1/session": _credentials()}
    if operation.method == "post" and operation.path in bodies:
        return generated | bodies[operation.path].flatmap(
            lambda body: operation.as_strategy(generation_mode=mode, body=body)
        )
    return generated


def _credentials() -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {"username": st.sampled_from(["buero", "leitung-jugendamt"]), "password": st.just(PASSWORD)}
    )


def _identities(operation: Any, identities: dict[str, Identity]) -> Iterator[Identity]:
    yield identities["anonymous"]
    if "personalrat" in (operation.tags or []):
        yield identities["personalrat"]
    yield identities["admin"]


def _call(base: str, identity: Identity, strategy: st.SearchStrategy[Any], count: int, tally: Tally) -> None:
    """`count` cases of `strategy` sent to the server as `identity`, each answer checked."""
    with requests.Session() as session:

        @settings(HYPOTHESIS, max_examples=count)
        @given(case=strategy)
        def call(case: Any) -> None:
            response = case.call(
                base_url=base, session=session, headers=identity.headers, cookies=identity.cookies, timeout=60
            )
            tally.record(case.operation.label, case, response, identity)

        call()


def _fuzz(base: str, reachable: Reachable) -> tuple[int, Tally]:
    identities = {"anonymous": Identity("anonymous")}
    for user in ("admin", "personalrat"):
        identities[user] = _sign_in(base, user)
    _look_around(base, identities["admin"], reachable)
    schema = schemathesis.openapi.from_url(f"{base}/api/schema/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    # the session's operations last, signing in the very last: failed sign-ins count towards the
    # rate limit; signing out ends the session it is sent with (so it gets sessions of its own)
    operations.sort(key=lambda op: 0 if op.path != "/api/v1/session" else 2 if op.method == "post" else 1)
    tally = Tally()
    for operation in operations:
        for identity in _identities(operation, identities):
            if operation.method == "delete" and identity.cookies:
                identity = _sign_in(base, identity.name)
            for mode, count in ((GenerationMode.POSITIVE, POSITIVE), (GenerationMode.NEGATIVE, NEGATIVE)):
                try:
                    _call(base, identity, _strategy(operation, mode, reachable), count, tally)
                except Unsatisfiable:
                    # nothing in the operation to break: no parameters, no body
                    assert mode is GenerationMode.NEGATIVE, operation.label
                    tally.nothing_to_break.add(operation.label)
    return len(operations), tally


@pytest.mark.slow
async def test_schemathesis_finds_no_server_error_and_no_answer_off_the_document(
    portal: Any, approve: Any, running_server: Any
) -> None:
    started = time.perf_counter()
    reachable = await _open_waves(portal, approve)
    with running_server(portal.database_url) as server:
        operations, tally = _fuzz(server.base, reachable)
    print(
        f"\noperations {operations}, calls {tally.calls}, 5xx {tally.server_errors}, "
        f"schema violations {tally.violations} ({time.perf_counter() - started:.1f} s)"
    )
    for key, count in sorted(tally.statuses.items()):
        print(f"  {key}: {count}")
    if tally.nothing_to_break:
        print(f"  no negative cases (nothing to break): {', '.join(sorted(tally.nothing_to_break))}")
    failures = "\n\n".join(f"{key}\n{detail}" for key, detail in sorted(tally.failures.items()))
    print(failures)
    assert tally.server_errors == 0, failures
    assert tally.violations == 0, failures
    # the calls reached what is behind the 404s: forms, stored answers, figures, exports
    for reached in (
        "GET /api/v1/forms/service-points/{key} 200",
        "GET /api/v1/forms/invitations/{code} 200",
        "GET /api/v1/forms/unit-links/{token} 200",
        "POST /api/v1/responses 201",
        "POST /api/v1/responses 422",
        "GET /api/v1/units/{unit}/figures 200",
        "GET /api/v1/exports/aggregate/{unit} 200",
        "POST /api/v1/session 200",
    ):
        assert tally.statuses[reached], f"no call reached {reached}"


# --- what schemathesis found, one test each --------------------------------------------------------


def _document() -> dict[str, Any]:
    from litestar.serialization import encode_json

    from survey.settings import Settings
    from survey.web.app import create_app

    return msgspec.json.decode(encode_json(create_app(Settings()).openapi_schema.to_schema()))


def _schema_of(response: dict[str, Any]) -> Any:
    return response["content"]["application/json"]["schema"]


def test_the_document_declares_every_refusal_of_the_api() -> None:
    """The document declared only 200/201 and 400: every 401, 403, 404, 409, 410, 422, 423 and 429
    the API gives was off it."""
    paths = _document()["paths"]
    refusal = {"$ref": "#/components/schemas/Refusal"}
    answer = {"$ref": "#/components/schemas/ResponseOut"}
    public = {"/api/overview", "/health"} | {p for p in paths if p.startswith("/api/v1/forms/")}
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if path in public or path == "/api/v1/responses" or (path, method) == ("/api/v1/session", "post"):
                continue
            assert _schema_of(responses["401"]) == refusal, (method, path)
            if path not in ("/api/v1/session", "/api/v1/units"):  # both answer anyone signed in
                assert _schema_of(responses["403"]) == refusal, (method, path)
    for path in [p for p in paths if p.startswith("/api/v1/forms/")]:
        responses = paths[path]["get"]["responses"]
        assert _schema_of(responses["200"]) == {"$ref": "#/components/schemas/Form"}, path
        assert all(_schema_of(responses[code]) == answer for code in ("403", "404", "410")), path
    submit = paths["/api/v1/responses"]["post"]["responses"]
    assert all(
        _schema_of(submit[code]) == answer for code in ("200", "201", "404", "409", "410", "422", "429")
    )
    refusal_of_body = {"$ref": "#/components/schemas/Refusal"}
    for path in ("/api/v1/responses", "/api/v1/session"):
        assert all(_schema_of(paths[path]["post"]["responses"][c]) == refusal_of_body for c in ("413", "415"))
    for code in ("409", "404"):
        assert code in paths["/api/v1/waves/{key}/open"]["post"]["responses"]


def test_the_session_api_is_documented_as_it_answers() -> None:
    """Signing in answered 200 where the document said 201, with a body that matched both halves of
    its `oneOf` (the user, or any object); signing out documented a JSON body for its 204."""
    session = _document()["paths"]["/api/v1/session"]
    sign_in_responses = session["post"]["responses"]
    assert "201" not in sign_in_responses
    assert _schema_of(sign_in_responses["200"]) == {"$ref": "#/components/schemas/Me"}
    assert {"401", "423", "429"} <= set(sign_in_responses)
    assert "content" not in session["delete"]["responses"]["204"]


def test_the_document_names_the_media_types_of_the_exports() -> None:
    paths = _document()["paths"]
    raw = paths["/api/v1/exports/raw"]["get"]["responses"]["200"]["content"]
    aggregate = paths["/api/v1/exports/aggregate/{unit}"]["get"]["responses"]["200"]["content"]
    excel = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert set(raw) == {"text/csv", excel, "application/x-spss-sav"}
    assert set(aggregate) == {"text/csv", excel}


async def test_an_export_names_its_charset_once(portal_client: AsyncTestClient) -> None:
    """`text/csv; charset=utf-8; charset=utf-8`: litestar adds the charset the export already named."""
    await sign_in(portal_client, "admin")
    for path in ("/api/v1/exports/aggregate/jugendamt?format=csv", "/api/v1/exports/raw?format=csv"):
        response = await portal_client.get(path)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/csv; charset=utf-8"


async def test_a_refused_export_answers_in_json(portal_client: AsyncTestClient) -> None:
    """The export routes' refusals came as `application/octet-stream` (the media type of the file),
    with JSON inside."""
    await sign_in(portal_client, "admin")
    response = await portal_client.get("/api/v1/exports/raw?format=pdf")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert "`pdf`" in response.json()["detail"] and "csv" in response.json()["detail"]
    unknown = await portal_client.get("/api/v1/exports/aggregate/gibt-es-nicht?format=csv")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/json"
