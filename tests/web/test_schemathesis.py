"""schemathesis with all its checks against the OpenAPI document of the real server: 0 failures.

Every operation of /api/schema/openapi.json is called over HTTP on a real `survey serve` (SQLite
and PostgreSQL), over the small demo Kommune of the portal tests with an open staff wave and an
open citizen wave added, in two ways:

- aimed: data schemathesis generates from the document, valid (positive) and breaking it
  (negative); without a session, and with the session (cookie and X-CSRF-Token header) of a user
  whose roles reach the operation: the admin, and the Personalrat for its approvals. Path
  parameters and the references of answers are generated, and also taken from the Kommune (its
  units, waves, service points, unit link and invitation codes), so that the calls reach the
  figures, forms and submissions behind them and not only their 404s;
- the command line, as a Kommune's IT would run it: `schemathesis run … --checks all` with its
  coverage, fuzzing and stateful phases (unsupported methods, OPTIONS and `Allow`, missing
  parameters, links between operations), anonymous and signed in as the admin.

Each answer goes through every check schemathesis has: no server error; status code, content
type, headers and body as documented; data the document allows is accepted and data it forbids is
refused with a 4xx; `Allow` names the methods the document lists; and so on. What only the data
behind a request decides (a used code: 410, answers that do not fit the form: 422, a locked
account: 423) is declared per operation in schemathesis.toml beside this file, which the command
line reads too. The aimed test prints its figures (operations, calls, statuses) and lists every
failure.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
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
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup

#: what only the data behind a request decides, per operation (read by the command line too)
CONFIG = Path(__file__).with_name("schemathesis.toml")
load_all_checks()
#: every check schemathesis has, as `--checks all`
ALL_CHECKS = CHECKS.get_all()
#: examples per operation, identity and kind of data: valid data, data that breaks the document
POSITIVE, NEGATIVE = 8, 4
#: examples per operation of the command line's fuzzing phase (its coverage phase has its own)
COMMAND_LINE_EXAMPLES = 3
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
    failed_calls: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    nothing_to_break: set[str] = field(default_factory=set)

    def record(self, label: str, case: Any, response: Any, identity: Identity, base: str) -> None:
        self.calls += 1
        self.statuses[f"{label} {response.status_code}"] += 1
        if response.status_code >= 500:
            self.server_errors += 1
        # checks that send the request again (without its credentials, say) send it as this one was
        sent_as = {"base_url": base, "headers": identity.headers, "cookies": identity.cookies, "timeout": 60}
        try:
            case.validate_response(
                response, checks=ALL_CHECKS, headers=identity.headers, transport_kwargs=sent_as
            )
        except FailureGroup as group:
            self.failed_calls += 1
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
    #: one answer that fits the citizen form (one is needed: an empty form is refused)
    citizen_answer: dict[str, Any] = field(default_factory=dict)
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
    reachable.citizen_answer = _fitting_answer(citizen.json()["questionnaire"])
    staff = requests.get(f"{base}/api/v1/forms/unit-links/{reachable.unit_link}", timeout=30)
    assert staff.status_code == 200, staff.text
    reachable.staff_items = [i["id"] for i in staff.json()["questionnaire"]["items"]]
    for _ in range(20):
        form = requests.get(f"{base}/api/v1/forms/service-points/{SERVICE_POINTS[1]}", timeout=30).json()
        reachable.submission_keys.append(form["submission_key"])


def _fitting_answer(questionnaire: dict[str, Any]) -> dict[str, Any]:
    """An answer to the first item of a closed scale, in the middle of it."""
    middle = {"likert-5": 3, "scale-0-10": 5, "yes-no": 1}
    for item in questionnaire["items"]:
        kind = questionnaire["scales"][item["scale"]]["type"]
        if kind in middle:
            return {item["id"]: middle[kind]}
    raise AssertionError("the citizen form has no item of a closed scale")


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
    """Answers to the open waves, through each channel, often incomplete or out of the scale; and
    ratings that fit (one answer, the rest "keine Angabe", with a key of the form they answer)."""
    common = {
        "language": st.sampled_from(["de", "en", "tr", ""]),
        "submission_key": st.sampled_from(reachable.submission_keys) | st.text(max_size=40),
    }
    fitting = st.fixed_dictionaries(
        {
            "channel": st.just("service_point"),
            "reference": st.just(SERVICE_POINTS[1]),
            "answers": st.dictionaries(st.sampled_from(reachable.citizen_items), st.none()).map(
                lambda none: {**none, **reachable.citizen_answer}
            ),
            "language": st.just("de"),
            "submission_key": st.sampled_from(reachable.submission_keys),
        }
    )
    return st.one_of(
        fitting,
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
        aimed_bodies = bodies[operation.path].flatmap(
            lambda body: operation.as_strategy(generation_mode=mode, body=body)
        )
        return aimed_bodies | generated
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
            tally.record(case.operation.label, case, response, identity, base)

        call()


def _fuzz(base: str, reachable: Reachable) -> tuple[int, Tally]:
    identities = {"anonymous": Identity("anonymous")}
    for user in ("admin", "personalrat"):
        identities[user] = _sign_in(base, user)
    _look_around(base, identities["admin"], reachable)
    schema = schemathesis.openapi.from_url(
        f"{base}/api/schema/openapi.json", config=SchemathesisConfig.from_path(CONFIG)
    )
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
async def test_schemathesis_with_every_check_finds_nothing(
    portal: Any, approve: Any, running_server: Any
) -> None:
    started = time.perf_counter()
    reachable = await _open_waves(portal, approve)
    with running_server(portal.database_url) as server:
        operations, tally = _fuzz(server.base, reachable)
    print(
        f"\noperations {operations}, calls {tally.calls}, 5xx {tally.server_errors}, "
        f"failed calls {tally.failed_calls} ({time.perf_counter() - started:.1f} s)"
    )
    for key, count in sorted(tally.statuses.items()):
        print(f"  {key}: {count}")
    if tally.nothing_to_break:
        print(f"  no negative cases (nothing to break): {', '.join(sorted(tally.nothing_to_break))}")
    failures = "\n\n".join(f"{key}\n{detail}" for key, detail in sorted(tally.failures.items()))
    print(failures)
    assert tally.server_errors == 0, failures
    assert tally.failed_calls == 0, failures
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
    # and data that breaks the document was refused by the guard, the app's validation or a handler
    for refused in ("GET /api/v1/units/{unit}/figures 400", "POST /api/v1/responses 400"):
        assert tally.statuses[refused], f"no call was refused: {refused}"


def _command_line(base: str, options: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    """The `schemathesis` command of this environment against `base`, with schemathesis.toml."""
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(CONFIG),
            "--no-color",
            "run",
            f"{base}/api/schema/openapi.json",
            # issuing 100,000 receipt codes takes seconds, more on a busy machine: not a network error
            "--request-timeout",
            "60",
            *options,
        ],
        cwd=folder,  # its hypothesis database and any report stay out of the repository
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
# The server's code is the same on both engines, and the aimed run above covers PostgreSQL: the
# command line runs on SQLite only, which keeps the suite inside its time.
@pytest.mark.parametrize("database_engine", ["sqlite"], indirect=True)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin"])
async def test_the_command_line_with_every_check_finds_nothing(
    portal: Any, approve: Any, running_server: Any, tmp_path: Path, signed_in: bool
) -> None:
    """`schemathesis run … --checks all` as the issue ran it, with its coverage and stateful phases."""
    await _open_waves(portal, approve)
    with running_server(portal.database_url) as server:
        options = ["--checks", "all", "--seed", "7", "--max-examples", str(COMMAND_LINE_EXAMPLES)]
        if signed_in:
            admin = _sign_in(server.base, "admin")
            options += ["-H", f"Cookie: lp_session={admin.cookies['lp_session']}"]
            options += ["-H", f"X-CSRF-Token: {admin.headers['X-CSRF-Token']}"]
            # signing out would end the session the run is signed in with (the anonymous run and
            # the aimed test sign out with sessions of their own)
            options += ["--exclude-name", "DELETE /api/v1/session"]
        run = await asyncio.to_thread(_command_line, server.base, options, tmp_path)
    summary = run.stdout[run.stdout.find("= SUMMARY =") - 40 :]
    print(summary)
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert "generated" in summary and "passed" in summary, summary


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
    public = {"/api/overview", "/health", "/api/v1/password-links/{token}"} | {
        p for p in paths if p.startswith("/api/v1/forms/")
    }
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


async def test_options_names_every_method_of_its_path(portal_client: AsyncTestClient) -> None:
    """`OPTIONS /api/v1/session` answered `Allow: OPTIONS, POST`: litestar's own answer named the
    methods of the first handler registered on the path only (GET and DELETE came later)."""
    for path, methods in (
        ("/api/v1/session", "DELETE, GET, OPTIONS, POST"),
        ("/api/v1/waves/fuzz-puls/open", "OPTIONS, POST"),
        ("/api/v1/units/jugendamt/figures", "GET, OPTIONS"),
        # a path with a parameter and two methods (its template has no types, the map's paths do)
        ("/api/v1/approvals/waves/fuzz-puls", "GET, OPTIONS, POST"),
    ):
        response = await portal_client.options(path)
        assert response.status_code == 204, path
        assert response.headers["allow"] == methods, path
    paths = _document()["paths"]
    assert set(paths["/api/v1/session"]) == {"get", "post", "delete"}


async def test_a_method_a_path_does_not_take_is_405_naming_those_it_takes(
    portal_client: AsyncTestClient,
) -> None:
    response = await portal_client.put("/api/v1/session", json={})
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"DELETE", "GET", "OPTIONS", "POST"}
    detail = response.json()["detail"]
    assert "PUT is not a method of /api/v1/session" in detail and "DELETE" in detail and "POST" in detail


def _texts(schema: dict[str, Any], components: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The string schemas in `schema`: itself, its branches, items, properties and mapped values."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("type") == "string":
        yield schema
    for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
        yield from _texts(branch, components)
    for part in (schema.get("items"), schema.get("additionalProperties")):
        if isinstance(part, dict):
            yield from _texts(part, components)
    for child in schema.get("properties", {}).values():
        yield from _texts(child, components)


def test_the_document_takes_what_the_guard_takes() -> None:
    """The document allowed any string where the request guard refuses control characters (path and
    query parameters) and NUL (JSON bodies), and any extra field where the API refuses unknown ones:
    schemathesis sent what the document allowed and got 400. Now every text parameter and every text
    of a request body carries the guard's own rule, and a body with a field it does not name is
    declared refused."""
    from survey.web.security import ADDRESS_FORBIDDEN, BODY_FORBIDDEN

    document = _document()
    components = document["components"]["schemas"]
    parameters = bodies = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                for text in _texts(parameter["schema"], components):
                    parameters += 1
                    # a date is checked as a date (nothing with a control character is one)
                    dated = text.get("format") in ("date", "date-time")
                    assert "enum" in text or dated or text["not"] == {"pattern": ADDRESS_FORBIDDEN}, (
                        method,
                        path,
                        parameter["name"],
                    )
            for content in operation.get("requestBody", {}).get("content", {}).values():
                body = components[content["schema"]["$ref"].rsplit("/", 1)[-1]]
                assert body["additionalProperties"] is False, (method, path)
                for text in _texts(body, components):
                    bodies += 1
                    assert "enum" in text or text["not"] == {"pattern": BODY_FORBIDDEN}, (method, path, text)
    assert parameters > 20 and bodies > 5
    answers = components["ResponseIn"]["properties"]["answers"]
    assert answers["propertyNames"] == {"not": {"pattern": BODY_FORBIDDEN}}
    # the rules as the guard reads them: what the pattern finds is refused
    assert re.search(ADDRESS_FORBIDDEN, "a\x00") and re.search(ADDRESS_FORBIDDEN, "a\x7f")
    assert re.search(ADDRESS_FORBIDDEN, "a\n") and not re.search(ADDRESS_FORBIDDEN, "Ä\x85 ü")
    assert re.search(BODY_FORBIDDEN, "a\x00") and not re.search(BODY_FORBIDDEN, "a\n\t\\u0000")
