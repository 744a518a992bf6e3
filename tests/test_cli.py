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
    for command in ("validate", "migrate", "init", "demo", "status"):
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
