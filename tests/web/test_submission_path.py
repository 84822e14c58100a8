"""A submission's way to the database: one service call from the handler, one read of the store
(code, link or service point with its wave, version and unit, and the Kommune's name), one write.

The database is real (SQLite and PostgreSQL); only the calls into survey.store are counted, by
wrapping every public function of the store modules (and the submission writer) with a counter.
A call from inside another counted call is not counted again: what counts is what the services
ask of the store.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import re
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from portal_helpers import app_call

import survey.store
import survey.web.api
import survey.web.respond
from survey.services.invitations import create_unit_link, issue_invitations
from survey.store import submissions
from survey.web.app import create_app

_inside = contextvars.ContextVar("inside_a_counted_store_call", default=False)


class StoreCalls:
    """Which store functions were called (outermost calls only), and which services the web asked."""

    def __init__(self) -> None:
        self.store: Counter[str] = Counter()
        self.services: Counter[str] = Counter()

    def reset(self) -> None:
        self.store.clear()
        self.services.clear()

    def counted(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            if _inside.get():
                return await function(*args, **kwargs)
            self.store[name] += 1
            token = _inside.set(True)
            try:
                return await function(*args, **kwargs)
            finally:
                _inside.reset(token)

        return wrapper

    def service(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.services[name] += 1
            return await function(*args, **kwargs)

        return wrapper


def _store_functions() -> Iterator[tuple[str, Any, str, Any]]:
    """(module name, module, attribute, function) of every public coroutine function of survey.store
    (but the writer's own steps, survey.store.submission_batch: the writer is counted as a whole)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("survey.store.") or "piccolo_migrations" in name or module is None:
            continue
        if name == "survey.store.submission_batch":
            continue
        for attribute, value in list(vars(module).items()):
            defined_here = getattr(value, "__module__", None) == name
            if defined_here and not attribute.startswith("_") and inspect.iscoroutinefunction(value):
                yield name, module, attribute, value


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> StoreCalls:
    assert survey.store  # the store modules are imported through the app
    counter = StoreCalls()
    wrapped: dict[int, Callable[..., Any]] = {}
    for name, module, attribute, function in _store_functions():
        short = f"{name.removeprefix('survey.store.')}.{attribute}"
        wrapped[id(function)] = counter.counted(short, function)
        monkeypatch.setattr(module, attribute, wrapped[id(function)])
    # a module that imported a store function by name holds it under its own name: wrap that too
    for name, module in list(sys.modules.items()):
        if name.startswith("survey.") and module is not None and not name.startswith("survey.store."):
            for attribute, value in list(vars(module).items()):
                if callable(value) and id(value) in wrapped:
                    monkeypatch.setattr(module, attribute, wrapped[id(value)])
    for writer in (submissions.SQLiteWriter, submissions.PostgresWriter):
        monkeypatch.setattr(writer, "submit", counter.counted("submissions.write", writer.submit))
    # the services the respondent handlers call, as the handlers' modules name them
    for module in (survey.web.respond, survey.web.api):
        for attribute, value in list(vars(module).items()):
            if inspect.iscoroutinefunction(value) and value.__module__.startswith("survey.services."):
                monkeypatch.setattr(module, attribute, counter.service(attribute, value))
    return counter


@pytest.fixture
async def client(field) -> AsyncIterator[AsyncTestClient]:  # type: ignore[no-untyped-def]
    await submissions.stop_writer()  # the app's lifespan starts its own writer
    async with AsyncTestClient(app=create_app(field.settings)) as test_client:
        test_client.follow_redirects = False
        yield test_client


def _key(page: str) -> str:
    match = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert match
    return match.group(1)


def _one_lookup_one_write(calls: StoreCalls, lookup: str) -> None:
    assert dict(calls.store) == {f"entries.{lookup}": 1, "submissions.write": 1}, calls.store
    assert dict(calls.services) == {"answer": 1}, calls.services


async def test_a_form_submission_reads_the_store_once(client: AsyncTestClient, field, calls) -> None:  # type: ignore[no-untyped-def]
    """Each channel of the form: the GET shows the form (as every respondent first sees it), the
    POST then reaches the database through one service call: one read, one write."""
    issued = await app_call(client, issue_invitations, field.settings, "puls", "jugendamt", 1)
    link = await app_call(client, create_unit_link, field.settings, "puls", "musikschule")
    forms = [
        (f"/i/{issued.codes[0]}", {"kommentar": "Gut"}, "find_invitation_entry"),
        (
            link.url.removeprefix(field.settings.base_url),
            {"access_code": link.access_code, "loesungen-tragen": "4"},
            "find_unit_link_entry",
        ),
        ("/s/buergerbuero-mitte", {"gesamturteil": "9"}, "find_service_point_entry"),
    ]
    for path, answers, lookup in forms:
        page = (await client.get(path)).text
        calls.reset()
        sent = await client.post(path, data={"submission_key": _key(page), "lang": "de", **answers})
        assert sent.status_code == 303, sent.text
        _one_lookup_one_write(calls, lookup)


async def test_an_api_submission_reads_the_store_once(client: AsyncTestClient, field, calls) -> None:  # type: ignore[no-untyped-def]
    issued = await app_call(client, issue_invitations, field.settings, "puls", "jugendamt", 1)
    link = await app_call(client, create_unit_link, field.settings, "puls", "musikschule")
    token = link.url.rstrip("/").rsplit("/", 1)[-1]
    bodies = [
        ("invitations", issued.codes[0], "invitation", {"kommentar": "Gut"}, {}),
        ("unit-links", token, "unit", {"loesungen-tragen": 4}, {"access_code": link.access_code}),
        ("service-points", "buergerbuero-mitte", "service_point", {"gesamturteil": 9}, {}),
    ]
    lookups = {
        "invitation": "find_invitation_entry",
        "unit": "find_unit_link_entry",
        "service_point": "find_service_point_entry",
    }
    for kind, reference, channel, answers, extra in bodies:
        form = (await client.get(f"/api/v1/forms/{kind}/{reference}")).json()
        calls.reset()
        body = {
            "channel": channel,
            "reference": reference,
            "language": "de",
            "submission_key": form["submission_key"],
            "answers": answers,
            **extra,
        }
        created = await client.post("/api/v1/responses", json=body)
        assert created.status_code == 201, created.text
        _one_lookup_one_write(calls, lookups[channel])


async def test_the_counter_sees_every_store_call(client: AsyncTestClient, field, calls) -> None:  # type: ignore[no-untyped-def]
    """Guard against a count that cannot fail: a wrong access code is counted in the store too
    (after reading whether the link is paused: only a wrong code needs that read, a right one is
    refused by the writer while the link is paused)."""
    link = await app_call(client, create_unit_link, field.settings, "puls", "musikschule")
    path = link.url.removeprefix(field.settings.base_url)
    page = (await client.get(path)).text
    calls.reset()
    wrong = {
        "submission_key": _key(page),
        "lang": "de",
        "access_code": "K7QM-2XHD-9RTC",
        "loesungen-tragen": "4",
    }
    assert (await client.post(path, data=wrong)).status_code == 400
    assert calls.store == Counter(
        {"entries.find_unit_link_entry": 1, "access.count_failures": 1, "access.record_failure": 1}
    )
    assert calls.services["answer"] == 1
