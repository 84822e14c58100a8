"""Several workers and several hosts on one PostgreSQL database share sessions and lock-outs.

Two `survey serve` processes on different ports stand for two hosts behind a load balancer:
a session made through one is used through the other, and failed sign-ins on both count
towards one lock-out. `survey serve --workers 2` starts two uvicorn worker processes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
from cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "ein-langes-testpasswort"


def _survey(database_url: str, *args: str, stdin: str = "") -> None:
    done = subprocess.run(
        [sys.executable, "-m", "survey", *args],
        cwd=ROOT,
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _prepared(database_url: str) -> None:
    assert run_cli("db", "upgrade", url=database_url).exit_code == 0  # in this process
    _survey(
        database_url, "user", "add", "chefin", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
    )


def _sign_in(base: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/session", json={"username": "chefin", "password": password}, timeout=30)


def test_a_session_made_on_one_host_works_on_the_other(postgres_url: str, running_server) -> None:  # type: ignore[no-untyped-def]
    _prepared(postgres_url)
    with running_server(postgres_url) as one, running_server(postgres_url) as two:
        signed_in = _sign_in(one.base)
        assert signed_in.status_code == 200
        cookies = {"lp_session": signed_in.cookies["lp_session"]}
        csrf = signed_in.json()["csrf_token"]
        me = httpx.get(f"{two.base}/api/v1/session", cookies=cookies, timeout=30)
        assert me.status_code == 200 and me.json()["username"] == "chefin"
        assert httpx.get(f"{two.base}/verwaltung/benutzer", cookies=cookies, timeout=30).status_code == 200
        # signed out through the second host, the session is gone on the first one too
        out = httpx.delete(
            f"{two.base}/api/v1/session", cookies=cookies, headers={"X-CSRF-Token": csrf}, timeout=30
        )
        assert out.status_code == 204
        assert httpx.get(f"{one.base}/api/v1/session", cookies=cookies, timeout=30).status_code == 401


def test_failed_sign_ins_on_both_hosts_count_towards_one_lock_out(postgres_url: str, running_server) -> None:  # type: ignore[no-untyped-def]
    _prepared(postgres_url)
    with running_server(postgres_url) as one, running_server(postgres_url) as two:
        statuses = [_sign_in(host.base, "falsch-falsch").status_code for host in (one, two, one, two, one)]
        assert statuses == [401] * 5
        assert _sign_in(two.base).status_code == 423
        assert _sign_in(one.base).status_code == 423


def test_serve_starts_several_workers_that_share_the_session(postgres_url: str, running_server) -> None:  # type: ignore[no-untyped-def]
    _prepared(postgres_url)
    with running_server(postgres_url, "--workers", "2") as server:
        children = subprocess.run(
            ["ps", "--ppid", str(server.pid), "-o", "pid=,args="], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        assert len([c for c in children if "multiprocessing" in c or "survey" in c]) >= 2, children
        signed_in = _sign_in(server.base)
        assert signed_in.status_code == 200
        cookies = {"lp_session": signed_in.cookies["lp_session"]}
        # a new connection each time: uvicorn's workers take them in turn from the shared socket
        answers = [
            httpx.get(f"{server.base}/api/v1/session", cookies=cookies, timeout=30).status_code
            for _ in range(20)
        ]
        assert answers == [200] * 20
