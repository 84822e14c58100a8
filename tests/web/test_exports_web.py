"""Exports over HTTP: the analyst's SPSS file with its labels, the audit trail, the lead's limits."""

from __future__ import annotations

import asyncio
import csv
import io

import pyreadstat
from litestar.testing import AsyncTestClient
from portal_helpers import sign_in

from survey.services.audit import audit_log


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
