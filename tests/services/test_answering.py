"""Answering through invitations, unit links and service points, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import random

import pytest

from survey.services.answering import (
    EntryError,
    entry_for_invitation,
    entry_for_service_point,
    entry_for_unit_link,
    new_submission_key,
    submit,
    was_stored,
)
from survey.services.invitations import create_unit_link, issue_invitations, issue_receipt_codes
from survey.services.waves import close_wave, create_wave
from survey.store.submissions import Outcome
from survey.store.tables import Answer, Comment, FloodCounter, Invitation, ResponseRow, WaveRow

GOOD = {"fachbereiche-ziehen-mit": "4", "eine-anlaufstelle": "na", "kommentar": "  Mehr Austausch, bitte.  "}


async def _responses(wave: str) -> int:
    wave_id = (await WaveRow.select(WaveRow.id).where(WaveRow.key == wave).first().run())["id"]
    return await ResponseRow.count().where(ResponseRow.wave == wave_id).run()


async def test_invitation_answers_once(field) -> None:  # type: ignore[no-untyped-def]
    issued = await issue_invitations(field.settings, "puls", "jugendamt", 3)
    assert len(set(issued.codes)) == 3 and await Invitation.count().run() == 3
    code = issued.codes[0]
    entry = await entry_for_invitation(field.settings, code.lower().replace("-", " "))
    assert entry.wave.key == "puls" and entry.unit_name.endswith("Jugendamt")
    key = await new_submission_key(field.settings)
    result = await submit(field.settings, entry, answers=dict(GOOD), language="de", submission_key=key)
    assert result.outcome == Outcome.STORED
    assert await Invitation.count().run() == 2  # the used code is gone
    rows = await Answer.select(Answer.item, Answer.value).order_by(Answer.item).run()
    assert rows == [
        {"item": "eine-anlaufstelle", "value": None},
        {"item": "fachbereiche-ziehen-mit", "value": 4},
    ]
    assert await Comment.select(Comment.text).run() == [{"text": "Mehr Austausch, bitte."}]
    response = await ResponseRow.select(ResponseRow.submitted_on, ResponseRow.language).first().run()
    assert response == {"submitted_on": field.today, "language": "de"}

    # The same form again (reload, double click): stored once.
    again = await submit(field.settings, entry, answers=dict(GOOD), language="de", submission_key=key)
    assert again.outcome == Outcome.DUPLICATE and again.stored
    assert await was_stored(key)
    assert await _responses("puls") == 1
    # A new form with the used code: refused.
    with pytest.raises(EntryError) as used:
        await entry_for_invitation(field.settings, code)
    assert used.value.problem == "code_used"
    other_key = await new_submission_key(field.settings)
    late = await submit(field.settings, entry, answers=dict(GOOD), language="de", submission_key=other_key)
    assert late.general == ["code_used"] and not late.stored
    assert await _responses("puls") == 1


@pytest.mark.parametrize("code", ["", "K7QM-2XHD-9RTC", "not a code", "K7QM-2XHD-9RT!"])
async def test_unknown_codes_are_told_from_used_ones(field, code: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EntryError) as caught:
        await entry_for_invitation(field.settings, code)
    assert caught.value.problem == "code_unknown"


async def test_each_bad_answer_has_its_own_problem_and_stores_nothing(field) -> None:  # type: ignore[no-untyped-def]
    code = (await issue_invitations(field.settings, "puls", "asd", 1)).codes[0]
    entry = await entry_for_invitation(field.settings, code)
    key = await new_submission_key(field.settings)
    bad = {
        "fachbereiche-ziehen-mit": "7",
        "eine-anlaufstelle": "viel",
        "arbeitgeber-weiterempfehlen": "11",
        "kommentar": "x" * 1001,
        "hacked": "1",
    }
    result = await submit(field.settings, entry, answers=bad, language="de", submission_key=key)
    assert {(p.item, p.code) for p in result.problems} == {
        ("fachbereiche-ziehen-mit", "outside_scale"),
        ("eine-anlaufstelle", "not_a_number"),
        ("arbeitgeber-weiterempfehlen", "outside_scale"),
        ("kommentar", "too_long"),
        ("hacked", "unknown_item"),
    }
    assert result.outcome is None
    assert await _responses("puls") == 0 and await Invitation.count().run() == 1  # the code still works


async def test_a_tampered_form_is_refused(field) -> None:  # type: ignore[no-untyped-def]
    code = (await issue_invitations(field.settings, "puls", "asd", 1)).codes[0]
    entry = await entry_for_invitation(field.settings, code)
    key = await new_submission_key(field.settings)
    forged = key[:-1] + ("1" if key.endswith("0") else "0")
    for changed in (dict(submission_key=forged), dict(submission_key="made-up"), dict(language="fr")):
        arguments = {"submission_key": key, "language": "de", **changed}
        result = await submit(field.settings, entry, answers=dict(GOOD), **arguments)  # type: ignore[arg-type]
        assert result.general == ["form_changed"], changed
    assert await _responses("puls") == 0


async def test_required_items(field, tmp_path, approve) -> None:  # type: ignore[no-untyped-def]
    v2 = field.questionnaires / "staff-pulse" / "v2.yaml"
    text = v2.read_text(encoding="utf-8").replace("version: 2", "version: 3")
    lines = [
        line for line in text.splitlines() if "change: editorial" not in line and "replaces:" not in line
    ]
    v3 = "\n".join(lines).replace("    scale: agree5\n", "    scale: agree5\n    required: true\n", 1)
    (field.questionnaires / "staff-pulse" / "v3.yaml").write_text(v3 + "\n", encoding="utf-8")
    today = field.today
    await create_wave(
        key="pflicht",
        questionnaires=field.questionnaires,
        questionnaire="staff-pulse",
        version=3,
        units=["kjfs"],
        opens_on=today,
        closes_on=today,
    )
    from survey.services.waves import open_wave

    await approve("pflicht", field.questionnaires)
    await open_wave("pflicht", today, field.questionnaires)
    code = (await issue_invitations(field.settings, "pflicht", "kjfs", 1)).codes[0]
    entry = await entry_for_invitation(field.settings, code)
    first = entry.version.items[0]
    assert first.required
    key = await new_submission_key(field.settings)
    missing = await submit(field.settings, entry, answers={}, language="de", submission_key=key)
    assert [(p.item, p.code) for p in missing.problems] == [(first.id, "required")]
    # "keine Angabe" is always possible, also for a required item
    given = await submit(field.settings, entry, answers={first.id: "na"}, language="de", submission_key=key)
    assert given.outcome == Outcome.STORED


async def test_closed_and_not_yet_open_waves_take_no_answers(field) -> None:  # type: ignore[no-untyped-def]
    code = (await issue_invitations(field.settings, "puls", "asd", 1)).codes[0]
    with pytest.raises(EntryError) as early:
        await entry_for_invitation(field.settings, code, today=field.today - dt.timedelta(days=10))
    assert early.value.problem == "not_yet_open"
    with pytest.raises(EntryError) as late:
        await entry_for_invitation(field.settings, code, today=field.today + dt.timedelta(days=31))
    assert late.value.problem == "closed"
    await close_wave("puls")
    with pytest.raises(EntryError) as closed:
        await entry_for_invitation(field.settings, code)
    assert closed.value.problem == "closed"
    assert await Invitation.count().run() == 1


async def test_unit_link_needs_its_access_code(field) -> None:  # type: ignore[no-untyped-def]
    link = await create_unit_link(field.settings, "puls", "musikschule")
    token = link.url.rsplit("/", 1)[1]
    entry = await entry_for_unit_link(field.settings, token)
    assert entry.kind == "unit" and entry.unit_name.endswith("Musikschule")
    key = await new_submission_key(field.settings)
    wrong = await submit(
        field.settings,
        entry,
        answers=dict(GOOD),
        language="en",
        submission_key=key,
        access_code="K7QM-2XHD-9RTC",
    )
    assert wrong.general == ["access_code_wrong"]
    right = await submit(
        field.settings,
        entry,
        answers=dict(GOOD),
        language="en",
        submission_key=key,
        access_code=link.access_code.lower(),
    )
    assert right.outcome == Outcome.STORED
    # Many people share the code: it keeps working.
    again = await submit(
        field.settings,
        entry,
        answers=dict(GOOD),
        language="de",
        submission_key=await new_submission_key(field.settings),
        access_code=link.access_code,
    )
    assert again.outcome == Outcome.STORED
    assert await _responses("puls") == 2
    with pytest.raises(EntryError, match="link_unknown"):
        await entry_for_unit_link(field.settings, "nope")


async def test_guessing_a_unit_code_pauses_the_link(field) -> None:  # type: ignore[no-untyped-def]
    link = await create_unit_link(field.settings, "puls", "musikschule")
    entry = await entry_for_unit_link(field.settings, link.url.rsplit("/", 1)[1])
    key = await new_submission_key(field.settings)
    for _ in range(20):
        result = await submit(
            field.settings,
            entry,
            answers=dict(GOOD),
            language="de",
            submission_key=key,
            access_code="K7QM-2XHD-9RTC",
        )
        assert result.general == ["access_code_wrong"]
    paused = await submit(
        field.settings,
        entry,
        answers=dict(GOOD),
        language="de",
        submission_key=key,
        access_code=link.access_code,
    )
    assert paused.general == ["access_paused"]
    assert await _responses("puls") == 0


async def test_service_point_with_receipt_codes_and_flood_limit(field) -> None:  # type: ignore[no-untyped-def]
    entry = await entry_for_service_point(field.settings, "buergerbuero-mitte")
    assert entry.wave.key == "buerger" and entry.service_point_name == "Bürgerbüro Mitte"
    assert "ar" in entry.version.languages
    _, codes = await issue_receipt_codes(field.settings, "buergerbuero-mitte", 2, 30)
    answers = {"freundlich-respektvoll": "5", "gesamturteil": "9"}

    async def send(**extra: str) -> object:
        return await submit(
            field.settings,
            entry,
            answers=dict(answers),
            language="ar",
            submission_key=await new_submission_key(field.settings),
            **extra,
        )

    assert (await send(receipt_code=codes[0])).outcome == Outcome.STORED  # type: ignore[attr-defined]
    assert (await send(receipt_code=codes[0])).general == ["receipt_used"]  # type: ignore[attr-defined]
    assert (await send(receipt_code="K7QM-2XHD-9RTC")).general == ["receipt_unknown"]  # type: ignore[attr-defined]
    assert (await send()).outcome == Outcome.STORED  # type: ignore[attr-defined]  (receipts are optional)

    limited = dataclasses.replace(field.settings, flood_limit=3)
    outcomes = [
        (
            await submit(
                limited,
                entry,
                answers=dict(answers),
                language="de",
                submission_key=await new_submission_key(limited),
            )
        ).outcome
        for _ in range(3)
    ]
    assert outcomes == [Outcome.STORED, Outcome.FLOOD, Outcome.FLOOD]  # 2 already counted this minute
    assert await _responses("buerger") == 3
    counters = await FloodCounter.select(FloodCounter.scope).run()
    assert {c["scope"] for c in counters} == {"service-point:buergerbuero-mitte"}


async def test_service_point_without_open_wave(field) -> None:  # type: ignore[no-untyped-def]
    await close_wave("buerger")
    with pytest.raises(EntryError, match="no_wave"):
        await entry_for_service_point(field.settings, "buergerbuero-mitte")
    with pytest.raises(EntryError, match="service_point_unknown"):
        await entry_for_service_point(field.settings, "nirgendwo")


async def test_racing_for_the_same_codes(field) -> None:  # type: ignore[no-untyped-def]
    """20 codes, each sent by 5 clients at once: 20 responses, 80 clear refusals."""
    codes = (await issue_invitations(field.settings, "puls", "jobcenter", 20)).codes
    entries = {code: await entry_for_invitation(field.settings, code) for code in codes}

    async def one(code: str) -> object:
        return await submit(
            field.settings,
            entries[code],
            answers=dict(GOOD),
            language="de",
            submission_key=await new_submission_key(field.settings),
        )

    attempts = [code for code in codes for _ in range(5)]
    random.shuffle(attempts)
    results = await asyncio.gather(*(one(code) for code in attempts))
    outcomes = [r.outcome for r in results]  # type: ignore[attr-defined]
    assert outcomes.count(Outcome.STORED) == 20
    assert outcomes.count(Outcome.CODE_USED) == 80
    assert await _responses("puls") == 20
    assert await Invitation.count().run() == 0


async def test_a_response_with_nothing_in_it_is_not_stored(field) -> None:  # type: ignore[no-untyped-def]
    entry = await entry_for_service_point(field.settings, "buergerbuero-mitte")
    key = await new_submission_key(field.settings)
    for nothing in ({}, {"kommentar": "  "}, {"gesamturteil": ""}):
        result = await submit(field.settings, entry, answers=nothing, language="de", submission_key=key)
        assert result.general == ["empty"] and result.outcome is None, nothing
    assert await _responses("buerger") == 0
    # "keine Angabe" is a choice: it is stored
    chosen = await submit(
        field.settings, entry, answers={"gesamturteil": None}, language="de", submission_key=key
    )
    assert chosen.outcome == Outcome.STORED
    assert await _responses("buerger") == 1
