"""E-mail invitations and reminders: rendered from the templates in reports/mail/, built into a
multipart message that survives the trip through bytes (and through a real SMTP server).

No database: the context is made by hand, the way the sending service hands it in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import aiosmtplib
import pytest
from mail_server import MailServer, smtp_server_fixture  # noqa: F401  (the fixture, for this module)

from survey.report.mail import (
    MailContext,
    MailTemplateError,
    RenderedMail,
    build_message,
    mail_languages,
    render_mail,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "reports"
ENTRY_URL = "https://umfrage.lindenau.de/i"
CODE = "K7QM-2XHD-9RTC"
# Longer than a folded header line: the header must still carry it as it is.
STOP_URL = "https://umfrage.lindenau.de/mail/stop/" + "Zq3" * 20
SENDER = "Stadt Lindenau – Befragung <umfrage@lindenau.de>"
TITLE = {"de": "Mitarbeiterbefragung Frühjahr 2026", "en": "Staff survey spring 2026"}
CLOSES = {"de": "21. Dezember 2026", "en": "21 December 2026"}
INVITED = {"de": "30. November 2026", "en": "30 November 2026"}
STOP_TEXT = {"de": "Keine weiteren E-Mails zu dieser Befragung", "en": "No more e-mails about this survey"}


def context(language: str = "de", **changes: object) -> MailContext:
    base = MailContext(
        kommune="Stadt Lindenau",
        wave_title=TITLE[language],
        unit_name="Grünflächenamt",
        entry_url=ENTRY_URL,
        closes_on=dt.date(2026, 12, 21),
        stop_url=STOP_URL,
        code=CODE,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def reminder(language: str, *, code_included: bool, number: int = 1) -> MailContext:
    if code_included:
        return context(language, reminder_number=number)
    return context(language, reminder_number=number, code=None, invited_on=dt.date(2026, 11, 30))


@pytest.fixture
def kommune_reports(tmp_path: Path) -> Path:
    """A Kommune's own reports folder: a copy of the shipped mail templates to edit."""
    folder = tmp_path / "reports"
    shutil.copytree(SHIPPED / "mail", folder / "mail")
    return folder


class Links(HTMLParser):
    """The document's language and every link with its text."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.links: list[tuple[str, str]] = []
        self.tags: set[str] = set()
        self._href: str | None = None
        self._text = ""
        self.feed(document)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join(self._text.split())))
            self._href = None


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain and the HTML part, with line ends as a mail program shows them (SMTP sends CRLF)."""
    text, html = (part.get_content().replace("\r\n", "\n") for part in message.iter_parts())
    return text, html


# --- rendering ------------------------------------------------------------------------------------


def test_the_shipped_templates_cover_german_and_english() -> None:
    assert mail_languages(SHIPPED) == {"de", "en"}


@pytest.mark.parametrize("language", ["de", "en"])
def test_an_invitation_carries_code_link_date_and_stop_link(language: str) -> None:
    mail = render_mail("invitation", language, context(language), SHIPPED)
    link = f"{ENTRY_URL}/{CODE}"
    assert TITLE[language] in mail.subject
    for body in (mail.text, mail.html):
        assert link in body and CODE in body and ENTRY_URL in body
        assert CLOSES[language] in body
        assert "Personalrat" in body and "Stadt Lindenau" in body and "Grünflächenamt" in body
        assert STOP_TEXT[language] in body and STOP_URL in body
    assert ("anonym" if language == "de" else "anonymous") in mail.text
    assert ("freiwillig" if language == "de" else "voluntary") in mail.text
    document = Links(mail.html)
    assert document.lang == language
    assert (STOP_URL, STOP_TEXT[language]) in document.links
    assert all(text and text != href for href, text in document.links if href in (link, STOP_URL))
    assert not document.tags & {"img", "script", "link", "style"}


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_reminder_to_open_codes_carries_the_personal_link_again(language: str) -> None:
    mail = render_mail("reminder", language, reminder(language, code_included=True), SHIPPED)
    assert mail.subject.startswith("Erinnerung: " if language == "de" else "Reminder: ")
    only_open = {"de": "nur Personen, deren Code noch nicht benutzt wurde", "en": "only to people whose code"}
    for body in (mail.text, mail.html):
        assert f"{ENTRY_URL}/{CODE}" in body and CODE in body
        assert only_open[language] in body
        assert CLOSES[language] in body and STOP_URL in body


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_reminder_to_everyone_carries_no_code_and_no_personal_link(language: str) -> None:
    mail = render_mail("reminder", language, reminder(language, code_included=False), SHIPPED)
    thanks = {"de": "Falls Sie schon geantwortet haben", "en": "If you have answered already"}
    for body in (mail.text, mail.html):
        assert CODE not in body and f"{ENTRY_URL}/" not in body.replace(STOP_URL, "")
        assert thanks[language] in body
        assert INVITED[language] in body
        assert CLOSES[language] in body and STOP_URL in body


@pytest.mark.parametrize(("language", "start"), [("de", "2. Erinnerung: "), ("en", "Reminder 2: ")])
def test_a_later_reminder_says_which_one_it_is(language: str, start: str) -> None:
    mail = render_mail("reminder", language, reminder(language, code_included=False, number=2), SHIPPED)
    assert mail.subject.startswith(start)


def test_html_escapes_names_and_the_text_keeps_them_as_written() -> None:
    mail = render_mail("invitation", "de", context(unit_name="<b>A&B</b>", kommune="Stadt <L> & Co"), SHIPPED)
    assert "<b>A&B</b>" not in mail.html and "&lt;b&gt;A&amp;B&lt;/b&gt;" in mail.html
    assert "Stadt &lt;L&gt; &amp; Co" in mail.html
    assert "<b>A&B</b>" in mail.text and "Stadt <L> & Co" in mail.text


def test_a_title_with_markup_stays_plain_in_the_subject() -> None:
    mail = render_mail("invitation", "de", context(wave_title="Puls <2026> & mehr"), SHIPPED)
    assert mail.subject == "Ihre Meinung ist gefragt: Puls <2026> & mehr"
    assert "<title>Ihre Meinung ist gefragt: Puls &lt;2026&gt; &amp; mehr</title>" in mail.html


def test_a_contact_replaces_the_general_pointer_to_the_personalrat() -> None:
    mail = render_mail("invitation", "de", context(contact="Sozialplanung, Telefon 0351 123-456"), SHIPPED)
    assert "Fragen beantwortet Ihnen gern: Sozialplanung, Telefon 0351 123-456" in mail.text


def test_the_caller_cannot_mix_up_kinds_and_codes() -> None:
    with pytest.raises(ValueError, match="invitation carries a code"):
        render_mail("invitation", "de", context(code=None), SHIPPED)
    with pytest.raises(ValueError, match="reminder_number 1 or more"):
        render_mail("reminder", "de", context(), SHIPPED)
    with pytest.raises(ValueError, match="stop_url"):
        context(stop_url="https://x.de/stop me")
    with pytest.raises(ValueError, match="language"):
        render_mail("invitation", "../de", context(), SHIPPED)


# --- the message ----------------------------------------------------------------------------------


def _message(mail: RenderedMail, **headers: str) -> EmailMessage:
    return build_message(
        mail, sender=SENDER, to="jörg.müller@lindenau.de", message_id_domain="lindenau.de", headers=headers
    )


@pytest.mark.parametrize("smtp", [False, True], ids=["default", "smtp-policy"])
def test_umlauts_and_headers_survive_the_round_trip(smtp: bool) -> None:
    mail = render_mail("reminder", "de", reminder("de", code_included=True), SHIPPED)
    message = _message(mail)
    # aiosmtplib and smtplib flatten with policy SMTP (CRLF, lines folded at 78).
    raw = message.as_bytes(policy=policy.SMTP) if smtp else message.as_bytes()
    assert raw.isascii()
    back = message_from_bytes(raw, policy=policy.default)
    assert isinstance(back, EmailMessage)
    assert back["Subject"] == mail.subject and "Frühjahr" in back["Subject"]
    assert back["From"] == SENDER and back["To"] == "jörg.müller@lindenau.de"
    assert back["List-Unsubscribe"] == f"<{STOP_URL}>"
    assert back["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert back["Content-Language"] == "de"
    assert back["Message-ID"].endswith("@lindenau.de>") and back["Date"].datetime is not None
    assert back.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in back.iter_parts()] == ["text/plain", "text/html"]
    text, html = parts(back)
    assert text == mail.text and html == mail.html
    assert "Grünflächenamt" in text and "Zuordnung von E-Mail-Adresse" in html


def test_message_ids_differ_and_the_caller_may_give_one() -> None:
    mail = render_mail("invitation", "de", context(), SHIPPED)
    assert _message(mail)["Message-ID"] != _message(mail)["Message-ID"]
    given = _message(mail, **{"Message-ID": "<puls-2026.4711@lindenau.de>"})
    assert given.get_all("Message-ID") == ["<puls-2026.4711@lindenau.de>"]


async def test_the_message_arrives_intact_through_a_real_smtp_server(smtp_server: MailServer) -> None:
    mail = render_mail("invitation", "en", context("en", unit_name="Straßenbau & Grün"), SHIPPED)
    message = build_message(mail, sender=SENDER, to="anna@lindenau.de", message_id_domain="lindenau.de")
    await aiosmtplib.send(message, hostname=smtp_server.host, port=smtp_server.port)
    [arrived] = await smtp_server.wait_for_async(1)
    assert arrived.message["Subject"] == mail.subject
    assert arrived.message["List-Unsubscribe"] == f"<{STOP_URL}>"
    text, html = parts(arrived.message)
    assert "Straßenbau & Grün" in text and "Straßenbau &amp; Grün" in html


# --- the Kommune's templates ----------------------------------------------------------------------


def test_a_kommunes_own_folder_overrides_the_shipped_one(
    kommune_reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = kommune_reports / "mail" / "de" / "invitation.txt"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("Ihre Meinung ist gefragt:", "Machen Sie mit bei"), encoding="utf-8")
    assert render_mail("invitation", "de", context(), kommune_reports).subject.startswith(
        "Machen Sie mit bei"
    )
    # templates=None looks where the letters are looked up: SURVEY_REPORTS first
    monkeypatch.setenv("SURVEY_REPORTS", str(kommune_reports))
    assert render_mail("invitation", "de", context()).subject.startswith("Machen Sie mit bei")


def test_a_missing_template_is_named_with_the_fix(kommune_reports: Path) -> None:
    (kommune_reports / "mail" / "en" / "reminder.html").unlink()
    assert mail_languages(kommune_reports) == {"de"}
    with pytest.raises(MailTemplateError) as caught:
        render_mail("reminder", "en", reminder("en", code_included=False), kommune_reports)
    [problem] = caught.value.problems
    assert problem.file == str(kommune_reports / "mail" / "en" / "reminder.html")
    assert "copy" in problem.message and str(SHIPPED / "mail" / "en" / "reminder.html") in problem.message
    assert "reminder.html" in str(caught.value)


def test_a_language_without_templates_is_named(kommune_reports: Path) -> None:
    with pytest.raises(MailTemplateError, match=r"mail/fr.*no mail templates in language 'fr'.*de, en"):
        render_mail("invitation", "fr", context(), kommune_reports)


def test_a_new_language_folder_works_with_its_own_dates(kommune_reports: Path) -> None:
    shutil.copytree(kommune_reports / "mail" / "de", kommune_reports / "mail" / "tr")
    assert mail_languages(kommune_reports) == {"de", "en", "tr"}
    mail = render_mail("invitation", "tr", context(), kommune_reports)
    assert "21 Aralık 2026" in mail.text and '<html lang="tr">' in mail.html


@pytest.mark.parametrize(
    ("name", "change", "expected", "line"),
    [
        (
            "invitation.txt",
            ("{% endblock %}\n\n{% block body %}", "{% endblock %}\n{% if %}"),
            "Expected an expression",
            14,
        ),
        ("invitation.html", ("{{ unit_name }}</p>", "{{ unit }}</p>"), "'unit' is undefined", 18),
        ("reminder.txt", ("{% block subject %}", "{% block betreff %}"), "lacks {% block subject %}", None),
        ("reminder.html", ("<body ", '<body background="https://tracker.example/p.gif" '), "network", None),
    ],
    ids=["syntax", "unknown-variable", "no-subject-block", "remote-image"],
)
def test_a_broken_template_is_named_with_its_line(
    kommune_reports: Path, name: str, change: tuple[str, str], expected: str, line: int | None
) -> None:
    path = kommune_reports / "mail" / "de" / name
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    kind = "invitation" if name.startswith("invitation") else "reminder"
    mail_context = context() if kind == "invitation" else reminder("de", code_included=True)
    with pytest.raises(MailTemplateError) as caught:
        render_mail(kind, "de", mail_context, kommune_reports)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    assert expected in problem.message
    if line is not None:
        assert problem.line == line
