"""Comments redacted when stored, and their review where the wave's approval asks for it: released
only when every named reviewer has released, withheld ones emptied, blacked-out passages gone,
every decision audited without the text; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from survey.services.accounts import add_user, principal_of
from survey.services.answering import entry_for_invitation, new_submission_key, submit
from survey.services.approvals_decisions import wave_changes
from survey.services.audit import audit_log
from survey.services.comment_review import (
    CommentReviewError,
    black_out,
    release_comment,
    review_page,
    review_waves,
    withhold_comment,
)
from survey.services.invitations import issue_invitations
from survey.services.redaction import forget_redactor, redact_comments
from survey.services.waves import (
    WaveChange,
    WavePlan,
    WavePlanError,
    create_planned_wave,
    edit_planned_wave,
    open_wave,
)
from survey.store import comments as stored_comments
from survey.store.tables import Comment, WaveRow

PASSWORD = "ein langes Testpasswort"
COMMENTS = [
    "Herr Wohlfahrt blockiert jede Änderung, Tel. 0171 4455667.",
    "Die Teamleitung ist super, aber Paragraph 31 SGB II verstehen wir nicht.",
    "Die Fahrzeuge sind alt; mein Kollege hat es längst gemeldet.",
]


async def _wave(field, approve, review: str, key: str = "runde-kommentare") -> None:  # type: ignore[no-untyped-def]
    plan = WavePlan(
        "staff-pulse",
        None,
        ["jugendamt"],
        field.today,
        field.today.replace(year=field.today.year + 1),
        key,
        comment_review=review,
    )
    await create_planned_wave(plan, field.questionnaires)
    await approve(key, field.questionnaires)
    await open_wave(key, field.today, field.questionnaires)


async def _answer(field, key: str, texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    issued = await issue_invitations(field.settings, key, "jugendamt", len(texts))
    for code, text in zip(issued.codes, texts, strict=True):
        entry = await entry_for_invitation(field.settings, code)
        answers = {"fachbereiche-ziehen-mit": "4", "kommentar": text}
        submission = await new_submission_key(field.settings)
        result = await submit(
            field.settings, entry, answers=answers, language="de", submission_key=submission
        )
        assert result.stored, result


async def _people():  # type: ignore[no-untyped-def]
    await add_user("buero-k", "Büro Kommentare", PASSWORD, ["office"])
    await add_user("pr-k", "Personalrat Kommentare", PASSWORD, ["personalrat"])
    await add_user("lead-k", "Leitung Jugendamt", PASSWORD, ["lead:jugendamt"])
    return await principal_of("buero-k"), await principal_of("pr-k"), await principal_of("lead-k")


async def _leads_read(key: str) -> list[str]:
    wave = await WaveRow.select(WaveRow.id).where(WaveRow.key == key).first().run()
    return [c.text for c in await stored_comments.released(wave["id"])]


async def test_comments_wait_until_both_release(field, approve) -> None:  # type: ignore[no-untyped-def]
    office, personalrat, lead = await _people()
    await _wave(field, approve, "both")
    await _answer(field, "runde-kommentare", COMMENTS)

    stored = [r["text"] for r in await Comment.select(Comment.text).order_by(Comment.text).run()]
    assert not any("Wohlfahrt" in t or "4455667" in t for t in stored), stored  # redacted when stored
    assert any("[Name]" in t and "[Telefonnummer]" in t for t in stored), stored
    assert any("Paragraph 31 SGB II" in t for t in stored)  # a look-alike stays
    assert await _leads_read("runde-kommentare") == []  # nothing released yet

    assert [w.wave.key for w in await review_waves(office)] == ["runde-kommentare"]
    assert [w.pending for w in await review_waves(personalrat)] == [3]
    assert await review_waves(lead) == []
    with pytest.raises(CommentReviewError):
        await review_page("runde-kommentare", lead)

    page = await review_page("runde-kommentare", office)
    assert page.roles == (True, False) and len(page.waiting) == 3
    first, second, third = sorted(page.waiting, key=lambda c: c.text)
    await release_comment("runde-kommentare", first.id, office)
    assert await _leads_read("runde-kommentare") == []  # the Personalrat has not released yet
    assert [c.id for c in (await review_page("runde-kommentare", office)).with_others] == [first.id]
    await release_comment("runde-kommentare", first.id, personalrat)
    assert await _leads_read("runde-kommentare") == [first.text]

    # withheld: a reason is needed; then the text is gone for everyone
    with pytest.raises(CommentReviewError):
        await withhold_comment("runde-kommentare", second.id, "  ", personalrat)
    await withhold_comment("runde-kommentare", second.id, "nennt eine erkennbare Situation", personalrat)
    row = await Comment.select(Comment.text, Comment.state).where(Comment.id == second.id).first().run()
    assert row == {"text": "", "state": "withheld"}
    with pytest.raises(CommentReviewError):  # decided already
        await release_comment("runde-kommentare", second.id, office)

    # blacked out: the passage must stand in the comment; the earlier text is not kept
    with pytest.raises(CommentReviewError):
        await black_out("runde-kommentare", third.id, "steht nicht drin", personalrat)
    passage = third.text.split()[0]
    text = await black_out("runde-kommentare", third.id, passage, personalrat)
    assert passage not in text and "[geschwärzt]" in text
    await release_comment("runde-kommentare", third.id, personalrat)
    await release_comment("runde-kommentare", third.id, office)
    assert sorted(await _leads_read("runde-kommentare")) == sorted([first.text, text])

    decisions = [e for e in await audit_log(limit=50) if e.action.startswith("comment.")]
    assert {e.action for e in decisions} == {"comment.release", "comment.withhold", "comment.redact"}
    for entry in decisions:
        for original in (*COMMENTS, second.text, third.text, "erkennbare Situation"):
            assert original not in entry.detail and original not in entry.target


async def test_a_personalrat_review_is_not_the_office_s(field, approve) -> None:  # type: ignore[no-untyped-def]
    office, personalrat, _ = await _people()
    await _wave(field, approve, "personalrat")
    await _answer(field, "runde-kommentare", COMMENTS[:1])
    assert await review_waves(office) == []
    page = await review_page("runde-kommentare", personalrat)
    assert page.roles == (False, True)
    with pytest.raises(CommentReviewError):
        await release_comment("runde-kommentare", page.waiting[0].id, office)
    await release_comment("runde-kommentare", page.waiting[0].id, personalrat)
    assert len(await _leads_read("runde-kommentare")) == 1


async def test_without_review_comments_show_at_once(field) -> None:  # type: ignore[no-untyped-def]
    # the field's open wave `puls` asks for no review (as every wave made before)
    issued = await issue_invitations(field.settings, "puls", "jugendamt", 1)
    entry = await entry_for_invitation(field.settings, issued.codes[0])
    key = await new_submission_key(field.settings)
    answers = {"kommentar": "Frau Brenninkmeyer erreicht man unter anna.b@lindenau.de"}
    assert (await submit(field.settings, entry, answers=answers, language="de", submission_key=key)).stored
    assert await _leads_read("puls") == ["Frau [Name] erreicht man unter [E-Mail]"]


async def test_the_review_is_part_of_the_approval_and_locked_when_open(field, approve) -> None:  # type: ignore[no-untyped-def]
    plan = WavePlan(
        "staff-pulse", None, ["jugendamt"], field.today, field.today, "runde-k2", comment_review="nobody"
    )
    with pytest.raises(WavePlanError) as refused:
        await create_planned_wave(plan, field.questionnaires)
    assert [p.field for p in refused.value.problems] == ["comment_review"]
    await _wave(field, approve, "none", key="runde-k2")
    with pytest.raises(WavePlanError) as locked:
        await edit_planned_wave("runde-k2", WaveChange(comment_review="personalrat"), field.questionnaires)
    assert [p.field for p in locked.value.problems] == ["comment_review"]
    before = '{"version": "staff-pulse v2", "k": 5, "k_text": 10, "units": ["jugendamt"]}'
    now = before.replace('"units"', '"comment_review": "both", "units"')
    assert [(c.what, c.before, c.after) for c in wave_changes(before, now, {})] == [
        ("comment_review", "none", "both")
    ]


async def test_users_names_are_redacted_and_their_role_words_stay(field) -> None:  # type: ignore[no-untyped-def]
    await add_user("kb", "Katharina Brenninkmeyer", PASSWORD, ["office"])
    await add_user("lj", "Leitung Jugendamt", PASSWORD, ["lead:jugendamt"])
    forget_redactor()  # the users changed: as the worker finds within a minute
    typed = [("kommentar", "Brenninkmeyer hilft immer. Das Jugendamt und seine Leitung auch.")]
    assert await redact_comments(field.questionnaires, typed, "de") == [
        ("kommentar", "[Name] hilft immer. Das Jugendamt und seine Leitung auch.")
    ]
