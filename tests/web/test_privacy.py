"""Unlinkability and privacy against the real server: after 50 invited staff answer, nothing in the
database or the server's output ties a code to a response, no IP address or user agent is kept, and
none of the personal data planted in their comments (names, phone numbers, e-mail addresses,
IBANs, addresses, vehicle registrations, case numbers, dates of birth) is stored or logged."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import random
import re
import sqlite3
import urllib.parse
import urllib.request
from pathlib import Path

from cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[2]
PROBE_AGENT = "Privacy-Probe/7.3 (unique-agent-string)"
PROBE_IP = "203.0.113.77"
#: (what a comment says, the personal data in it that must not be stored, the marker it becomes)
PLANTED = [
    ("Frau Brenninkmeyer aus dem ASD hilft immer", "Brenninkmeyer", "[Name]"),
    ("Herr Jürgen Wohlfahrt blockiert jede Änderung", "Wohlfahrt", "[Name]"),
    ("ruft mich an unter 0171 4455667", "4455667", "[Telefonnummer]"),
    ("schreibt an petra.kowalski@stadt-lindenau.de", "petra.kowalski", "[E-Mail]"),
    ("Überweisung auf DE89 3704 0044 0532 0130 00 fehlt", "0532 0130", "[IBAN]"),
    ("ich wohne Lindenstraße 14a", "Lindenstraße 14a", "[Adresse]"),
    ("das Auto LIN-AB 123 steht immer im Weg", "LIN-AB 123", "[Kennzeichen]"),
    ("es geht um Az. 51.2-4711/26", "4711/26", "[Aktenzeichen]"),
    ("geb. 03.07.1984, seit Jahren hier", "03.07.1984", "[Geburtsdatum]"),
]


def _run(url: str, *args: str, base: str = "", stdin: str = "") -> str:
    """`survey ARGS` in this process (tests/cli_runner.py); the server below is a real process."""
    result = run_cli(*args, url=url, stdin=stdin, SURVEY_BASE_URL=base or "http://127.0.0.1:1")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _dump(url: str) -> tuple[str, dict[str, list[tuple[str, str]]]]:
    """Every value of every table as text, and the column types."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url[len("sqlite:///") :]) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            text = "\n".join(repr(row) for t in tables for row in db.execute(f'SELECT * FROM "{t}"'))
            types = {
                t: [(r[1], r[2].lower()) for r in db.execute(f'PRAGMA table_info("{t}")')] for t in tables
            }
            return text, types

    async def fetch() -> tuple[str, dict[str, list[tuple[str, str]]]]:
        import asyncpg

        db = await asyncpg.connect(url)
        try:
            tables = [
                r[0] for r in await db.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ]
            rows = [repr(tuple(r)) for t in tables for r in await db.fetch(f'SELECT * FROM "{t}"')]
            columns = await db.fetch(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public'"
            )
            types: dict[str, list[tuple[str, str]]] = {}
            for c in columns:
                types.setdefault(c["table_name"], []).append((c["column_name"], c["data_type"]))
            return "\n".join(rows), types
        finally:
            await db.close()

    return asyncio.run(fetch())


def _request(url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(
        url, data=body, headers={"User-Agent": PROBE_AGENT, "X-Forwarded-For": PROBE_IP}
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_fifty_invited_staff_leave_no_link(database_url: str, tmp_path: Path, running_server) -> None:  # type: ignore[no-untyped-def]
    _run(database_url, "db", "upgrade")
    _run(database_url, "org", "import", str(ROOT / "survey" / "demo" / "org.yaml"))
    import datetime as dt

    today = dt.date.today()
    _run(
        database_url,
        "wave",
        "create",
        "puls",
        "--questionnaire",
        "staff-pulse",
        "--units",
        "kjfs",
        "--opens",
        str(today - dt.timedelta(days=1)),
        "--closes",
        str(today + dt.timedelta(days=9)),
    )
    # The Personalrat approves the staff questionnaire and the wave (co-determination).
    _run(
        database_url,
        "user",
        "add",
        "pr-test",
        "--role",
        "personalrat",
        "--password-stdin",
        stdin="ein langes Testpasswort\n",
    )
    _run(database_url, "approve", "version", "staff-pulse", "2", "--by", "pr-test")
    _run(database_url, "approve", "wave", "puls", "--by", "pr-test")
    _run(database_url, "wave", "open", "puls")
    _run(
        database_url,
        "invite",
        "puls",
        "--unit",
        "jugendamt",
        "--count",
        "51",
        "--out",
        str(tmp_path / "letters"),
    )
    with (tmp_path / "letters" / "puls-jugendamt-codes.csv").open(encoding="utf-8") as file:
        codes = [row["code"] for row in csv.DictReader(file, delimiter=";")]
    assert len(codes) == 51
    # One code stays unused: its hash must be found, which shows the search below can find one.
    codes, unused = codes[:50], codes[50]

    with running_server(database_url) as server:
        base = server.base
        order = codes[:]
        random.shuffle(order)
        for number, code in enumerate(order):
            status, page = _request(f"{base}/i/{code}")
            assert status == 200, page
            key = re.search(r'name="submission_key" value="([^"]+)"', page)
            assert key is not None
            answers = {
                "submission_key": key.group(1),
                "lang": "de",
                "fachbereiche-ziehen-mit": str(number % 5 + 1),
                "kommentar": f"Antwort {number}: {PLANTED[number % len(PLANTED)][0]}",
            }
            status, _ = _request(f"{base}/i/{code}", answers)
            assert status == 303
    out, err = server.out, server.err

    text, types = _dump(database_url)
    secret = re.search(r"'secret_key', '([0-9a-f]{64})'|\('secret_key', '([0-9a-f]{64})'", text)
    assert "Antwort 49" in text  # the dump does see the answers
    assert secret is not None, "the generated installation secret should be in the setting table"
    key = (secret.group(1) or secret.group(2)).encode()

    def stored_hash(code: str) -> str:
        return hmac.new(key, f"store:invitation:{code.replace('-', '')}".encode(), hashlib.sha256).hexdigest()

    assert stored_hash(unused) in text
    for _, personal, marker in PLANTED:
        assert personal not in text, f"{personal} is stored"
        assert personal not in out + err, f"{personal} is in the server's output"
        assert marker in text, f"no {marker} is stored: the check above would pass without comments"
    for code in codes:
        bare = code.replace("-", "")
        assert code not in text and bare not in text, "a code is stored"
        assert stored_hash(code) not in text, "a used code's hash is still stored"
        assert code not in out + err and bare not in out + err, "a code is in the server's output"
    # The start-up banner names the server's own address; no other line may name a client's.
    logged = "\n".join(line for line in (out + err).splitlines() if "läuft auf" not in line)
    for trace in (PROBE_AGENT, PROBE_IP, "127.0.0.1"):
        assert trace not in text, f"{trace} is stored"
        assert trace not in logged, f"{trace} is logged"
    # No time of day anywhere near a response: only the day.
    for table in ("response", "answer", "comment", "submission_key", "invitation"):
        for column, kind in types[table]:
            assert "time" not in kind, f"{table}.{column} is {kind}"
    # No table refers to invitations, and none are left for the wave.
    assert "invitation" not in {c for t, cols in types.items() if t != "invitation" for c, _ in cols}
