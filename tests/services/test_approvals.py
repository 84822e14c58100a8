"""Co-determination: a staff wave opens only with the Personalrat's approvals of its version and of
the wave as they are; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from survey.services.accounts import add_user, principal_of
from survey.services.approvals import (
    AlreadyRejected,
    ApprovalError,
    ReasonRefused,
    approval_status,
    approve_version,
    approve_wave,
    reject_version,
    reject_wave,
    version_subject,
    wave_approval_problems,
    wave_content_hash,
)
from survey.services.approvals_decisions import WaveChange, wave_changes
from survey.services.audit import audit_log
from survey.services.demo import DemoOptions, build_demo
from survey.services.waves import close_wave, create_wave, edit_wave, open_wave
from survey.store.tables import Approval, ApprovalRejection, QuestionnaireVersionRow, WaveRow
from survey.store.waves import set_wave_status

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
TODAY = dt.date(2026, 11, 21)
PASSWORD = "ein langes Testpasswort"


async def _personalrat(username: str = "pr-mitglied"):  # type: ignore[no-untyped-def]
    await add_user(username, "Mitglied des Personalrats", PASSWORD, ["personalrat"])
    return await principal_of(username)


def _create(field, key: str = "runde", **changes):  # type: ignore[no-untyped-def]
    arguments = dict(
        key=key,
        questionnaires=field.questionnaires,
        questionnaire="staff-pulse",
        version=1,
        units=["jugendamt"],
        opens_on=TODAY,
        closes_on=TODAY + dt.timedelta(days=14),
    )
    arguments.update(changes)
    return create_wave(**arguments)


async def _status(key: str) -> str:
    return (await WaveRow.select(WaveRow.status).where(WaveRow.key == key).first().run())["status"]


async def _approve(field, key: str = "runde", version: int = 1):  # type: ignore[no-untyped-def]
    personalrat = await _personalrat()
    await approve_version("staff-pulse", version, by=personalrat, questionnaires=field.questionnaires)
    await approve_wave(key, by=personalrat)
    return personalrat


async def test_an_unapproved_staff_wave_cannot_open(field) -> None:  # type: ignore[no-untyped-def]
    await _create(field)
    with pytest.raises(ApprovalError) as refused:
        await open_wave("runde", TODAY, field.questionnaires)
    message = str(refused.value)
    assert "`runde` cannot open (co-determination by the Personalrat)" in message
    assert "has not approved staff-pulse v1 as published" in message
    assert "`survey approve version staff-pulse 1 --by USER`" in message
    assert (
        "has not approved the wave `runde`" in message and "`survey approve wave runde --by USER`" in message
    )
    assert await _status("runde") == "draft"
    [entry] = await audit_log(action="wave.open_refused")
    assert entry.target == "runde" and "staff-pulse v1" in entry.detail


async def test_approving_version_and_wave_lets_it_open(field) -> None:  # type: ignore[no-untyped-def]
    await _create(field)
    personalrat = await _personalrat()
    await approve_version("staff-pulse", 1, by=personalrat, questionnaires=field.questionnaires)
    problems = await wave_approval_problems("runde", field.questionnaires)
    assert len(problems) == 1 and "has not approved the wave `runde`" in str(problems[0])
    await approve_wave("runde", by=personalrat)
    assert await wave_approval_problems("runde", field.questionnaires) == []
    opened = await open_wave("runde", TODAY, field.questionnaires)
    assert opened.status == "open"


async def test_a_changed_file_after_approval_is_refused_and_nothing_changes(field) -> None:  # type: ignore[no-untyped-def]
    await _create(field)
    personalrat = await _approve(field)
    v1 = field.questionnaires / "staff-pulse" / "v1.yaml"
    original = v1.read_text(encoding="utf-8")
    title = yaml.safe_load(original)["title"]["de"]
    v1.write_text(original.replace(title, "Ein anderer Titel"), encoding="utf-8")
    hashes_before = await QuestionnaireVersionRow.select(QuestionnaireVersionRow.content_hash).run()
    approvals_before = await Approval.count().run()

    with pytest.raises(ApprovalError) as refused:
        await open_wave("runde", TODAY, field.questionnaires)
    message = str(refused.value)
    assert f"the file {v1} of staff-pulse v1 has changed since it was approved/published" in message
    assert "undo the change or create v3 and have it approved" in message
    assert await _status("runde") == "draft"
    assert await QuestionnaireVersionRow.select(QuestionnaireVersionRow.content_hash).run() == hashes_before
    assert await Approval.count().run() == approvals_before
    # Approving the changed file is refused too: the published v1 is frozen.
    with pytest.raises(ApprovalError, match="has changed since it was approved/published"):
        await approve_version("staff-pulse", 1, by=personalrat, questionnaires=field.questionnaires)
    assert await Approval.count().run() == approvals_before

    v1.write_text(original, encoding="utf-8")  # undone: the approvals hold again
    assert (await open_wave("runde", TODAY, field.questionnaires)).status == "open"


async def test_a_broken_file_is_refused_and_a_missing_one_leaves_the_published_version(field) -> None:  # type: ignore[no-untyped-def]
    """The database is the record of a published version (versions made in the browser have no
    file at all): a broken file of it is refused, a missing one changes nothing."""
    await _create(field)
    await _approve(field)
    v1 = field.questionnaires / "staff-pulse" / "v1.yaml"
    original = v1.read_text(encoding="utf-8")
    v1.write_text(original.replace("audience: staff", "audience: personal"), encoding="utf-8")
    [problem] = await wave_approval_problems("runde", field.questionnaires)
    assert f"the file {v1} of staff-pulse v1 has problems" in str(problem)
    with pytest.raises(ApprovalError):
        await open_wave("runde", TODAY, field.questionnaires)
    assert await _status("runde") == "draft"
    v1.unlink()
    assert await wave_approval_problems("runde", field.questionnaires) == []
    assert (await open_wave("runde", TODAY, field.questionnaires)).status == "open"


async def test_editing_thresholds_after_approval_needs_a_new_one(field) -> None:  # type: ignore[no-untyped-def]
    await _create(field)
    personalrat = await _approve(field)
    await edit_wave("runde", k=6)
    with pytest.raises(ApprovalError) as refused:
        await open_wave("runde", TODAY, field.questionnaires)
    message = str(refused.value)
    day = f"{dt.datetime.now(dt.UTC):%Y-%m-%d}"
    assert f"has changed since the Personalrat approved it on {day}: k from 5 to 6; it needs a new" in message
    assert "staff-pulse v1" not in message  # the version's approval still holds
    assert await _status("runde") == "draft"
    await approve_wave("runde", by=personalrat)
    opened = await open_wave("runde", TODAY, field.questionnaires)
    assert (opened.status, opened.k) == ("open", 6)
    # Title and dates are not part of the approval.
    await _create(field, "runde-2")
    await approve_wave("runde-2", by=personalrat)
    await edit_wave("runde-2", title="Anders", closes_on=TODAY + dt.timedelta(days=20))
    assert await wave_approval_problems("runde-2", field.questionnaires) == []


@pytest.mark.parametrize("roles", [["lead:jugendamt"], ["admin"], ["office", "analyst"]])
async def test_only_the_personalrat_approves(field, roles: list[str]) -> None:  # type: ignore[no-untyped-def]
    await _create(field)
    await add_user("lead-x", "Lea Leitung", PASSWORD, roles)
    someone = await principal_of("lead-x")
    before = await Approval.count().run()
    with pytest.raises(ApprovalError) as version:
        await approve_version("staff-pulse", 1, by=someone, questionnaires=field.questionnaires)
    assert str(version.value).startswith(
        "`lead-x` is not a Personalrat member: only users with the role personalrat approve"
    )
    with pytest.raises(ApprovalError, match="`lead-x` is not a Personalrat member"):
        await approve_wave("runde", by=someone)
    assert await Approval.count().run() == before
    refusals = await audit_log(action="approval.refused")
    assert {(e.username, e.target) for e in refusals} == {("lead-x", "staff-pulse v1"), ("lead-x", "runde")}


async def test_bad_subjects_are_refused_clearly(field) -> None:  # type: ignore[no-untyped-def]
    personalrat = await _personalrat()
    folder = field.questionnaires
    cases = [
        (
            approve_version("staff-pulse", 9, by=personalrat, questionnaires=folder),
            "staff-pulse has no version 9",
        ),
        (approve_version("kantine", 1, by=personalrat, questionnaires=folder), "no questionnaire `kantine`"),
        (
            approve_version("citizen-contact", 1, by=personalrat, questionnaires=folder),
            "citizen-contact v1 is a citizen questionnaire: only staff questionnaires need",
        ),
        (approve_wave("nirgendwo", by=personalrat), "there is no wave `nirgendwo`"),
        (approve_wave("buerger", by=personalrat), "`buerger` is a citizen wave"),
    ]
    for call, message in cases:
        with pytest.raises(ApprovalError, match=message):
            await call
    await close_wave("puls")
    with pytest.raises(ApprovalError, match="`puls` is closed"):
        await approve_wave("puls", by=personalrat)


async def test_citizen_waves_need_no_approval(field) -> None:  # type: ignore[no-untyped-def]
    await create_wave(
        key="buerger-2",
        questionnaires=field.questionnaires,
        questionnaire="citizen-contact",
        version=None,
        units=["verwaltung"],
        opens_on=TODAY,
        closes_on=TODAY + dt.timedelta(days=14),
    )
    assert await wave_approval_problems("buerger-2", field.questionnaires) == []
    assert (await open_wave("buerger-2", TODAY, field.questionnaires)).status == "open"


async def test_approvals_carry_who_when_and_hash_and_are_audited(field) -> None:  # type: ignore[no-untyped-def]
    await _create(field)
    before = dt.datetime.now(dt.UTC)
    personalrat = await _personalrat()
    version = await approve_version("staff-pulse", 1, by=personalrat, questionnaires=field.questionnaires)
    wave = await approve_wave("runde", by=personalrat)
    published = (
        await QuestionnaireVersionRow.select(QuestionnaireVersionRow.content_hash)
        .where(
            (QuestionnaireVersionRow.questionnaire == "staff-pulse") & (QuestionnaireVersionRow.version == 1)
        )
        .first()
        .run()
    )["content_hash"]
    assert (version.kind, version.subject, version.content_hash, version.approved_by) == (
        "version",
        "staff-pulse v1",
        published,
        "pr-mitglied",
    )
    units = ["asd", "jugendamt", "kita-verwaltung"]
    assert wave.content_hash == wave_content_hash(published, "staff", 5, 10, units)
    assert wave.content_hash != wave_content_hash(published, "staff", 5, 10, units[:2])
    rows = await Approval.select().where(Approval.approved_by == "pr-mitglied").order_by(Approval.id).run()
    assert [(r["kind"], r["subject"], r["content_hash"]) for r in rows] == [
        ("version", "staff-pulse v1", published),
        ("wave", "runde", wave.content_hash),
    ]
    for row in rows:
        at = row["approved_at"] if row["approved_at"].tzinfo else row["approved_at"].replace(tzinfo=dt.UTC)
        assert before - dt.timedelta(seconds=1) <= at <= dt.datetime.now(dt.UTC)
    entries = [e for e in await audit_log() if e.action.startswith("approval.")]
    assert [(e.username, e.action, e.target, e.detail) for e in reversed(entries)][-2:] == [
        ("pr-mitglied", "approval.version", "staff-pulse v1", f"sha256 {published}"),
        ("pr-mitglied", "approval.wave", "runde", f"sha256 {wave.content_hash}"),
    ]


async def test_approval_status_reports_approved_and_stale(field) -> None:  # type: ignore[no-untyped-def]
    v2 = field.questionnaires / "staff-pulse" / "v2.yaml"
    text = v2.read_text(encoding="utf-8").replace("version: 2", "version: 3")
    lines = [
        line for line in text.splitlines() if "change: editorial" not in line and "replaces:" not in line
    ]
    (field.questionnaires / "staff-pulse" / "v3.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    await _create(field)
    await _create(field, "entwurf", version=2)
    personalrat = await _personalrat()
    await approve_wave("runde", by=personalrat)
    await edit_wave("runde", k=7)

    status = await approval_status(field.questionnaires)
    versions = {s.subject: s for s in status.versions}
    waves = {s.subject: s for s in status.waves}
    assert set(versions) == {"staff-pulse v1", "staff-pulse v2", "staff-pulse v3"}  # no citizen version
    assert set(waves) == {"puls", "runde", "entwurf"}  # staff waves only
    v1, v2_state, v3 = versions["staff-pulse v1"], versions["staff-pulse v2"], versions["staff-pulse v3"]
    assert (v1.state, v1.approved, v1.stale, v1.latest) == ("published", False, False, None)
    assert (v2_state.state, v2_state.approved, v2_state.stale) == ("published", True, False)
    assert v2_state.latest is not None and v2_state.latest.approved_by == "pr-vorsitz"  # by the field
    assert v2_state.latest.content_hash == v2_state.content_hash
    assert (v3.state, v3.approved, v3.stale) == ("unpublished", False, False)
    assert (waves["puls"].state, waves["puls"].approved) == ("open", True)
    runde = waves["runde"]
    assert (runde.state, runde.approved, runde.stale) == ("draft", False, True)
    assert runde.latest is not None and runde.latest.content_hash != runde.content_hash
    assert (waves["entwurf"].approved, waves["entwurf"].stale) == (False, False)

    # Approving v3 as its file reads; then a change of the file makes it stale (not yet published).
    await approve_version("staff-pulse", 3, by=personalrat, questionnaires=field.questionnaires)
    v3_file = field.questionnaires / "staff-pulse" / "v3.yaml"
    assert {s.subject: s for s in (await approval_status(field.questionnaires)).versions}[
        "staff-pulse v3"
    ].approved
    title = yaml.safe_load(v3_file.read_text(encoding="utf-8"))["title"]["de"]
    v3_file.write_text(v3_file.read_text(encoding="utf-8").replace(title, "Neu"), encoding="utf-8")
    # ... and a change to a published file shows as such, still with the published hash.
    v1_file = field.questionnaires / "staff-pulse" / "v1.yaml"
    title = yaml.safe_load(v1_file.read_text(encoding="utf-8"))["title"]["de"]
    v1_file.write_text(v1_file.read_text(encoding="utf-8").replace(title, "Neu"), encoding="utf-8")
    await approve_wave("runde", by=personalrat)
    await close_wave("puls")
    status = await approval_status(field.questionnaires)
    versions = {s.subject: s for s in status.versions}
    assert (versions["staff-pulse v3"].approved, versions["staff-pulse v3"].stale) == (False, True)
    assert versions["staff-pulse v1"].state == "file_changed"
    assert versions["staff-pulse v1"].content_hash == v1.content_hash
    waves = {s.subject: s for s in status.waves}
    assert set(waves) == {"runde", "entwurf"}
    assert (waves["runde"].approved, waves["runde"].stale) == (True, False)
    assert version_subject("staff-pulse", 3) == "staff-pulse v3"


async def test_the_demo_records_its_approvals_in_the_personalrat_s_name(db: str) -> None:
    questionnaires = QUESTIONNAIRES
    options = DemoOptions(staff=200, waves=2, citizen_ratings=20, today=TODAY)
    result = await build_demo(questionnaires, options)
    staff_waves = [key for key in result.created if key.startswith("demo-puls-")]
    assert len(staff_waves) == 2
    for key in staff_waves:
        assert await wave_approval_problems(key, questionnaires) == []
    approvals = await Approval.select(Approval.kind, Approval.subject, Approval.approved_by).run()
    assert {(a["kind"], a["subject"]) for a in approvals} == {
        ("version", "staff-pulse v1"),
        ("version", "staff-pulse v2"),
        *(("wave", key) for key in staff_waves),
    }
    assert {a["approved_by"] for a in approvals} == {"personalrat"}
    # An open demo wave looks approved; running the demo again adds no approval.
    wave_id = (await WaveRow.select(WaveRow.id).where(WaveRow.key == staff_waves[-1]).first().run())["id"]
    await set_wave_status(wave_id, "open")
    status = await approval_status(questionnaires)
    assert all(v.approved and v.latest and v.latest.approved_by == "personalrat" for v in status.versions)
    assert [(w.subject, w.approved) for w in status.waves] == [(staff_waves[-1], True)]
    await set_wave_status(wave_id, "closed")
    await build_demo(questionnaires, options)
    assert await Approval.count().run() == len(approvals)


async def test_rejections_carry_a_reason_count_for_their_content_only_and_are_audited(field) -> None:  # type: ignore[no-untyped-def]
    await _create(field)
    folder = field.questionnaires
    personalrat = await _personalrat()
    day = f"{dt.datetime.now(dt.UTC):%Y-%m-%d}"

    # A reason is required (and not a novel); only the Personalrat rejects; nothing is recorded.
    with pytest.raises(ReasonRefused, match="rejects `runde`: the reason is required"):
        await reject_wave("runde", by=personalrat, reason="  \n ")
    with pytest.raises(ReasonRefused, match="the reason has 2001 characters: shorten it to 2000 at most"):
        await reject_wave("runde", by=personalrat, reason="x" * 2001)
    await add_user("admin-x", "Ada Admin", PASSWORD, ["admin"])
    with pytest.raises(ApprovalError, match="`admin-x` is not a Personalrat member"):
        await reject_version(
            "staff-pulse", 1, by=await principal_of("admin-x"), reason="nein", questionnaires=folder
        )
    for call, message in (
        (reject_wave("buerger", by=personalrat, reason="nein"), "`buerger` is a citizen wave"),
        (reject_wave("nirgendwo", by=personalrat, reason="nein"), "there is no wave `nirgendwo`"),
        (
            reject_wave("puls", by=personalrat, reason="nein"),
            "`puls` is open already: a rejection cannot stop it",
        ),
        (
            reject_version("citizen-contact", 1, by=personalrat, reason="nein", questionnaires=folder),
            "citizen-contact v1 is a citizen questionnaire",
        ),
    ):
        with pytest.raises(ApprovalError, match=message):
            await call
    assert await ApprovalRejection.count().run() == 0

    # The version rejected: the wave may not open, and the office is told when and why.
    rejected = await reject_version(
        "staff-pulse", 1, by=personalrat, reason="Frage 3 ist unklar.", questionnaires=folder
    )
    assert (rejected.kind, rejected.subject, rejected.reason, rejected.rejected_by) == (
        "version",
        "staff-pulse v1",
        "Frage 3 ist unklar.",
        "pr-mitglied",
    )
    texts = [p.text(code=True) for p in await wave_approval_problems("runde", folder)]
    assert texts[0] == f"the Personalrat rejected staff-pulse v1 on {day}: Frage 3 ist unklar."
    assert "has not approved the wave `runde`" in texts[1]
    with pytest.raises(AlreadyRejected, match="staff-pulse v1 is rejected already as it is now"):
        await reject_version("staff-pulse", 1, by=personalrat, reason="noch einmal", questionnaires=folder)
    # ... approved after all: the newest decision about the content counts
    await approve_version("staff-pulse", 1, by=personalrat, questionnaires=folder)
    assert len(await wave_approval_problems("runde", folder)) == 1

    # The wave rejected as it is; changed afterwards, the rejection no longer counts.
    await reject_wave("runde", by=personalrat, reason="k ist zu klein.")
    [problem] = await wave_approval_problems("runde", folder)
    assert str(problem) == f"the Personalrat rejected the wave `runde` on {day}: k ist zu klein."
    with pytest.raises(ApprovalError):
        await open_wave("runde", TODAY, folder)
    runde = {s.subject: s for s in (await approval_status(folder)).waves}["runde"]
    assert (runde.decision, runde.approved, runde.rejection and runde.rejection.reason) == (
        "rejected",
        False,
        "k ist zu klein.",
    )
    await edit_wave("runde", k=7, questionnaires=folder)
    runde = {s.subject: s for s in (await approval_status(folder)).waves}["runde"]
    assert (runde.decision, runde.changed_since, runde.changes) == (
        "changed",
        "rejection",
        [WaveChange("k", "5", "7")],
    )
    [problem] = await wave_approval_problems("runde", folder)
    assert "has not approved the wave `runde` (its version, thresholds k=7" in str(problem)

    # Approved, then rejected as it is: the approval is taken back; approved again, it opens.
    await approve_wave("runde", by=personalrat)
    assert await wave_approval_problems("runde", folder) == []
    await reject_wave("runde", by=personalrat, reason="Doch nicht: erst nach der Personalversammlung.")
    assert "Doch nicht" in str(await wave_approval_problems("runde", folder))
    with pytest.raises(AlreadyRejected):
        await reject_wave("runde", by=personalrat, reason="noch einmal")
    await approve_wave("runde", by=personalrat)
    assert (await open_wave("runde", TODAY, folder)).status == "open"
    with pytest.raises(ApprovalError, match="`runde` is open already"):
        await reject_wave("runde", by=personalrat, reason="zu spät")

    rows = await ApprovalRejection.select().order_by(ApprovalRejection.id).run()
    assert [(r["kind"], r["subject"], r["rejected_by"]) for r in rows] == [
        ("version", "staff-pulse v1", "pr-mitglied"),
        ("wave", "runde", "pr-mitglied"),
        ("wave", "runde", "pr-mitglied"),
    ]
    assert rows[1]["content_hash"] != rows[2]["content_hash"] and rows[1]["facts"]
    entries = [(e.action, e.target, e.detail) for e in reversed(await audit_log()) if "rejected" in e.action]
    assert entries == [
        ("approval.rejected_version", "staff-pulse v1", f"sha256 {rows[0]['content_hash']}"),
        ("approval.rejected_wave", "runde", f"sha256 {rows[1]['content_hash']}"),
        ("approval.rejected_wave", "runde", f"sha256 {rows[2]['content_hash']}"),
    ]


def test_a_change_of_a_wave_is_named_from_what_was_decided_on() -> None:
    before = '{"k": 5, "k_text": 10, "units": ["asd", "jugendamt"], "version": "staff-pulse v1"}'
    now = '{"k": 5, "k_text": 12, "units": ["jugendamt", "kita"], "version": "staff-pulse v2"}'
    names = {"asd": "Allgemeiner Sozialer Dienst", "kita": "Kita-Verwaltung"}
    assert wave_changes(before, now, names) == [
        WaveChange("version", "staff-pulse v1", "staff-pulse v2"),
        WaveChange("k_text", "10", "12"),
        WaveChange("units_added", "", "Kita-Verwaltung"),
        WaveChange("units_removed", "Allgemeiner Sozialer Dienst", ""),
    ]
    assert wave_changes(None, now, names) == [] and wave_changes("kaputt", now, names) == []
