"""The command line, run as a person runs it: a real process, real exit codes, real output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from maturity.cli import main
from maturity.storage.migrate import head_revision

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "maturity", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_help_lists_every_command():
    result = run("--help")
    assert result.returncode == 0
    for command in ("validate", "migrate", "init", "demo", "status", "report"):
        assert command in result.stdout


def test_validate_builtins_exits_zero():
    result = run("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "2 models, 3 surveys" in result.stderr


def test_validate_broken_file_exits_one_and_names_it(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: playbook\nid: x\ntitle: [oops\n")
    result = run("validate", str(broken))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(f"{broken}:")


def test_validate_a_folder(tmp_path):
    assert run("validate", "playbooks").returncode == 0
    (tmp_path / "a.yaml").write_text("kind: survey\n")
    result = run("validate", str(tmp_path))
    assert result.returncode == 1 and all(line.startswith(str(tmp_path / "a.yaml")) for line in result.stdout.splitlines())


def test_init_on_an_empty_database_without_a_terminal_explains_the_demo(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = run("init", env={"MATURITY_DB_URL": url})
    assert result.returncode == 0, result.stderr
    assert "python -m maturity demo" in result.stdout
    status = run("status", env={"MATURITY_DB_URL": url})
    assert f"revision: {head_revision()}" in status.stdout and "teams: 0" in status.stdout


def test_init_can_load_the_demo_and_demo_twice_adds_nothing(tmp_path, capsys):
    assert main(["init", "--demo", "yes"]) == 0
    assert "Demo data loaded" in capsys.readouterr().out
    assert main(["demo"]) == 0
    assert "already loaded; nothing added" in capsys.readouterr().out


def test_a_bad_database_url_is_explained_not_a_traceback():
    result = run("migrate", env={"MATURITY_DB_URL": "not a url"})
    assert result.returncode == 2
    assert "error: the database URL is not valid" in result.stderr and "MATURITY_DB_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unwritable_database_folder_is_explained(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "maturity.db").mkdir()  # a folder where the file should be
    result = run("migrate", env={"MATURITY_DB_URL": f"sqlite:///{locked / 'maturity.db'}"})
    assert result.returncode == 2 and "cannot be opened" in result.stderr and "Traceback" not in result.stderr


def test_init_prints_the_generated_secret_and_keeps_it(tmp_path):
    env = {"MATURITY_DB_URL": f"sqlite:///{tmp_path / 'fresh.db'}", "MATURITY_ADMIN_SECRET": ""}
    first = run("init", env=env)
    line = next(line for line in first.stdout.splitlines() if line.startswith("Facilitator sign-in secret:"))
    assert "MATURITY_ADMIN_SECRET" in line
    assert line in run("init", env=env).stdout.splitlines()
    # make run passes its address: the newcomer is told where to type the secret, not only what it is
    assert "Facilitator sign-in page: http://localhost:8600/signin" in run("init", "--address", "http://localhost:8600/", env=env).stdout


def test_report_writes_the_leaders_report_and_refuses_unknown_teams_and_bad_dates(tmp_path, builtin_catalog):
    from datetime import date

    from maturity.services import demo

    url = f"sqlite:///{tmp_path / 'm.db'}"
    env = {"MATURITY_DB_URL": url}
    assert run("migrate", env=env).returncode == 0
    demo.load_demo(url, catalog=builtin_catalog, today=date(2026, 11, 21))
    out = tmp_path / "reports" / "finance.html"
    result = run("report", "--team", "finance", "--since", "2025-01-01", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out} (")
    page = out.read_text(encoding="utf-8")
    assert "Finance · from 01 Jan 2025" in page and "data:image/png;base64," in page and "Marketing" not in page

    unknown = run("report", "--team", "Nobody", env=env)
    assert unknown.returncode == 1
    assert "no team named 'Nobody'; the teams are: Data & Analytics, Finance" in unknown.stderr
    bad = run("report", "--since", "2026-02-30", env=env)
    assert bad.returncode == 2 and "'2026-02-30' is not a date; write it as YYYY-MM-DD" in bad.stderr
    backwards = run("report", "--since", "2026-06-01", "--until", "2026-01-01", env=env)
    assert backwards.returncode == 1 and "is after --until" in backwards.stderr
    missing = run("report", "--workshop", "99999", env=env)
    assert missing.returncode == 2 and "There is no workshop 99999." in missing.stderr


def test_grant_gives_a_role_is_safe_to_repeat_and_keeps_the_last_admin(db_url):
    from maturity.services import accounts, audit

    first = run("grant", "Ada@Example.org", "admin")
    assert first.returncode == 0 and first.stdout.startswith("ada@example.org is now admin"), first.stderr
    assert "not configured yet" in first.stdout  # no identity provider set: the role waits for one
    assert run("grant", "ada@example.org", "admin").returncode == 0  # twice is harmless
    assert run("grant", "leo@example.org", "leader").returncode == 0
    refused = run("grant", "ada@example.org", "none")
    assert refused.returncode == 1 and "only admin account" in refused.stderr
    bad = run("grant", "ada@example.org", "boss")
    assert bad.returncode == 2 and "invalid choice: 'boss'" in bad.stderr
    assert {(a.email, a.role) for a in accounts.list_accounts(db_url)} == {("ada@example.org", "admin"), ("leo@example.org", "leader")}
    assert [e.actor for e in audit.list_events(db_url, entity="account")] == ["command line", "command line"]


def test_audit_exports_who_changed_what(db_url, tmp_path):
    assert run("grant", "ada@example.org", "admin").returncode == 0
    out = tmp_path / "audit.csv"
    result = run("audit", "--since", "2020-01-01", "--out", str(out))
    assert result.returncode == 0 and "1 change(s)" in result.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("When (UTC),Who,E-mail,Role,What") and "ada@example.org given access as admin" in text
    to_stdout = run("audit")
    assert "ada@example.org given access as admin" in to_stdout.stdout
    swapped = run("audit", "--since", "2026-02-01", "--until", "2026-01-01")
    assert swapped.returncode == 1 and "is after" in swapped.stderr


def test_check_sign_in_without_a_provider_says_the_secret_is_used():
    result = run("check-sign-in")
    assert result.returncode == 0 and "MATURITY_OIDC_ISSUER is not set" in result.stdout
    half = run("check-sign-in", env={"MATURITY_OIDC_ISSUER": "https://login.example.org"})
    assert half.returncode == 2 and "MATURITY_OIDC_CLIENT_ID and MATURITY_OIDC_CLIENT_SECRET" in half.stderr
