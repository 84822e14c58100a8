"""Exports over HTTP: the analyst's SPSS file with its labels, the audit trail, the lead's limits,
and raw answers of closed waves only."""

from __future__ import annotations

import asyncio
import csv
import html
import io

import openpyxl
import pyreadstat
from litestar.testing import AsyncTestClient
from portal_helpers import sign_in

from survey.services.audit import audit_log
from survey.services.waves import list_waves
from survey.store.tables import Comment, WaveRow


async def _audit(client: AsyncTestClient, action: str):  # type: ignore[no-untyped-def]
    async def call():  # type: ignore[no-untyped-def]
        return await audit_log(action=action)

    return await asyncio.to_thread(client.blocking_portal.call, call)


async def test_analyst_downloads_labelled_spss_and_the_download_is_audited(
    portal_client: AsyncTestClient, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    await sign_in(portal_client, "auswertung")
    response = await portal_client.get("/api/v1/exports/raw?format=sav&questionnaire=staff-pulse")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    path = tmp_path / "export.sav"
    path.write_bytes(response.content)
    data, meta = pyreadstat.read_sav(str(path))
    assert len(data) > 0
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    described = ("response_no", "wave", "questionnaire", "version", "unit", "service_point", "language")
    item_columns = [c for c in meta.column_names if c not in described]
    assert item_columns and all(labels[c] for c in item_columns)
    assert any(meta.variable_value_labels.get(c) for c in item_columns)
    entries = await _audit(portal_client, "export.raw")
    assert entries[0].username == "auswertung" and "sav" in entries[0].target
    assert entries[0].detail.endswith(f"{len(response.content)} bytes")  # who, when, what: not the data


async def test_lead_gets_suppressed_figures_of_own_unit_only(portal_client: AsyncTestClient) -> None:
    await sign_in(portal_client, "leitung-jugendamt")
    own = await portal_client.get("/exporte/kennzahlen?einheit=jugendamt&format=csv")
    assert own.status_code == 200
    rows = list(csv.DictReader(io.StringIO(own.content.decode("utf-8"))))
    assert rows and "hidden" in rows[0]
    assert (await portal_client.get("/exporte/kennzahlen?einheit=sozialamt&format=csv")).status_code == 403
    assert (await portal_client.get("/exporte/rohdaten?format=csv")).status_code == 403
    assert (await portal_client.get("/exporte/kennzahlen?einheit=jugendamt&format=sav")).status_code == 400
    refused = await _audit(portal_client, "access.refused")
    assert {e.username for e in refused} == {"leitung-jugendamt"} and len(refused) == 2
    assert [e.username for e in await _audit(portal_client, "export.aggregate")] == ["leitung-jugendamt"]


async def _call(client: AsyncTestClient, function, *args, **kw):  # type: ignore[no-untyped-def]
    """A database call on the app's own event loop."""

    async def call():  # type: ignore[no-untyped-def]
        return await function(*args, **kw)

    return await asyncio.to_thread(client.blocking_portal.call, call)


#: a free text of the running wave, written by nobody else
RUNNING_TEXT = "Nur in der laufenden Runde geschrieben: 4711"


async def _reopen_latest_staff_wave(client: AsyncTestClient) -> tuple[str, str, list[str]]:
    """The demo's latest staff wave made to run again (its answers and free texts are stored), one
    of its free texts made its own: (that wave, an earlier closed one, that free text)."""
    staff = [w.wave for w in await _call(client, list_waves) if w.wave.audience == "staff"]
    running, earlier = staff[-1], staff[0]
    assert running.status == earlier.status == "closed" and running.key != earlier.key

    async def reopen() -> list[str]:
        await WaveRow.update({WaveRow.status: "open"}).where(WaveRow.key == running.key).run()
        first = await Comment.select(Comment.id).where(Comment.wave.key == running.key).first().run()
        assert first is not None, "the running wave has free texts"
        await Comment.update({Comment.text: RUNNING_TEXT}).where(Comment.id == first["id"]).run()
        return [RUNNING_TEXT]

    return running.key, earlier.key, await _call(client, reopen)


async def test_raw_answers_of_a_running_wave_are_refused_everywhere(portal_client: AsyncTestClient) -> None:
    running, earlier, texts = await _reopen_latest_staff_wave(portal_client)
    await sign_in(portal_client, "auswertung")

    # The exports page offers closed waves only, and says so.
    offered = await portal_client.get("/exporte")
    assert offered.status_code == 200
    assert f'value="{earlier}"' in offered.text and f'value="{running}"' not in offered.text
    assert "Nur abgeschlossene Befragungsrunden: Solange eine Runde läuft" in html.unescape(offered.text)
    english = html.unescape((await portal_client.get("/exporte?lang=en")).text)
    assert "Closed waves only: while a wave runs, it shows nothing but its participation" in english

    # Asked for anyway: the page says why (409), in its language, without a command; no file.
    for lang, said in (
        ("en", f"Not closed yet: {running}. Raw answers are exported only once a wave has closed"),
        ("de", f"Noch nicht abgeschlossen: {running}. Rohdaten einer Befragungsrunde werden erst exportiert"),
    ):
        for query in (f"runde={running}", f"runde={earlier}&runde={running}"):
            page = await portal_client.get(f"/exporte/rohdaten?format=csv&{query}&lang={lang}")
            assert page.status_code == 409, page.text
            assert page.headers["content-type"].startswith("text/html")
            assert "content-disposition" not in page.headers
            shown = html.unescape(page.text)
            assert said in shown, shown
            assert "`" not in shown and "survey " not in shown
            assert not any(text in shown for text in texts)
    # The API refuses with 409 and a plain message.
    for fmt in ("csv", "xlsx", "sav"):
        api = await portal_client.get(f"/api/v1/exports/raw?format={fmt}&wave={running}")
        assert api.status_code == 409 and api.headers["content-type"] == "application/json"
        detail = api.json()["detail"]
        assert detail.startswith(f"not closed yet: `{running}`. Raw answers are exported only once")
        assert "survey " not in detail and not any(text in api.text for text in texts)
    refused = await _audit(portal_client, "export.raw_refused")
    assert len(refused) == 2 * 2 + 3 and {e.username for e in refused} == {"auswertung"}
    assert await _audit(portal_client, "export.raw") == []

    # A closed wave still exports; without a choice, every closed wave and no other.
    for query in (f"runde={earlier}", ""):
        done = await portal_client.get(f"/exporte/rohdaten?format=csv&{query}")
        assert done.status_code == 200 and done.headers["content-disposition"].startswith("attachment")
        rows = list(csv.DictReader(io.StringIO(done.content.decode("utf-8"))))
        assert rows and running not in {r["wave"] for r in rows}
        assert not any(text in done.text for text in texts)
    whole = await portal_client.get("/api/v1/exports/raw?format=xlsx&questionnaire=staff-pulse")
    assert whole.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(whole.content), read_only=True)
    notes = [row[0] for row in book["Hinweise"].iter_rows(values_only=True)]
    assert (
        "Nur abgeschlossene Befragungsrunden: laufende Runden und Entwürfe werden nicht exportiert" in notes
    )
    assert any(str(n).startswith(f"{earlier}: staff-pulse v") for n in notes)
    assert not any(str(n).startswith(running) for n in notes)
    waves = {r[1] for r in book["Daten"].iter_rows(min_row=2, max_col=2, values_only=True)}
    assert running not in waves and earlier in waves


async def test_an_export_of_something_that_does_not_exist_is_not_found(
    portal_client: AsyncTestClient,
) -> None:
    await sign_in(portal_client, "auswertung")
    unknown_wave = await portal_client.get("/api/v1/exports/raw?format=csv&wave=puls-1999")
    assert unknown_wave.status_code == 404
    assert unknown_wave.json()["detail"] == "no wave with key `puls-1999`"  # no command hint
    unknown_questionnaire = await portal_client.get("/api/v1/exports/raw?format=csv&questionnaire=kantine")
    assert unknown_questionnaire.status_code == 404 and "survey " not in unknown_questionnaire.text
    no_figures = await portal_client.get(
        "/api/v1/exports/aggregate/jugendamt?format=csv&questionnaire=kantine"
    )
    assert no_figures.status_code == 404
    assert no_figures.json()["detail"] == "no open or closed wave of questionnaire `kantine` yet"
    # the request itself wrong stays a 400
    other = await portal_client.get("/api/v1/exports/raw?format=pdf")
    assert other.status_code == 400
    # on the page: German, without backticks or commands
    page = await portal_client.get("/exporte/rohdaten?format=csv&runde=puls-1999")
    assert page.status_code == 404 and "Keine Befragungsrunde mit dem Schlüssel puls-1999" in page.text
    assert "`" not in page.text and "survey wave list" not in page.text
