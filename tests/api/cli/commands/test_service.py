"""``tolerance service install|uninstall|status``: a systemd user unit that runs this Tolerance's
``serve`` with the options given, and systemctl driven when it is there (a recording stand-in
here: no running systemd is needed), or told to the user when it is not."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tolerance.api.cli.main import build_parser, main

FAKE_SYSTEMCTL = """#!/bin/sh
echo "$*" >>{log}
case "$2" in
  is-enabled) echo enabled ;;
  is-active) echo active ;;
esac
if [ -e {fail} ]; then echo "Failed to connect to bus: No medium found" >&2; exit 1; fi
"""


class Env:
    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.config = tmp / "config"
        self.unit = self.config / "systemd" / "user" / "tolerance.service"
        self.bin = tmp / "bin"
        self.bin.mkdir()
        self.log = tmp / "systemctl.log"
        self.fail = tmp / "fail"
        monkeypatch.setenv("XDG_CONFIG_HOME", str(self.config))
        monkeypatch.setenv("HOME", str(tmp / "home"))
        monkeypatch.setenv("PATH", str(self.bin))
        monkeypatch.chdir(tmp)

    def with_systemctl(self) -> Env:
        script = self.bin / "systemctl"
        script.write_text(FAKE_SYSTEMCTL.format(log=self.log, fail=self.fail))
        script.chmod(0o755)
        return self

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def exec_start(self) -> list[str]:
        (line,) = [x for x in self.unit.read_text().splitlines() if x.startswith("ExecStart=")]
        return [word.replace("%%", "%").replace("$$", "$") for word in shlex.split(line.removeprefix("ExecStart="))]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    return Env(tmp_path, monkeypatch)


TOLERANCE = str(Path(sys.executable).absolute().parent / "tolerance")


def test_install_without_systemctl_writes_the_unit_and_says_what_to_run(
    env: Env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["service", "install", "--device", "Polar H10 1A2B", "--db", "data/t.sqlite3"]) == 0
    text = env.unit.read_text()
    assert env.exec_start() == [
        TOLERANCE,
        "serve",
        "--device",
        "Polar H10 1A2B",
        "--db",
        str(tmp_path / "data" / "t.sqlite3"),
    ]
    assert "\n[Service]\n" in text and "\nRestart=on-failure\n" in text
    assert text.endswith("[Install]\nWantedBy=default.target\n")
    out = capsys.readouterr().out
    assert "systemctl --user daemon-reload" in out and "systemctl --user enable --now tolerance.service" in out


def test_install_enables_and_starts_it_and_a_second_install_restarts_it(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env.with_systemctl()
    assert main(["service", "install"]) == 0
    assert env.exec_start() == [TOLERANCE, "serve"]
    assert env.calls() == ["--user daemon-reload", "--user enable --now tolerance.service"]
    assert "Started" in capsys.readouterr().out
    assert main(["service", "install", "--sim", "calm", "--port", "8100"]) == 0
    assert env.exec_start() == [TOLERANCE, "serve", "--sim", "calm", "--port", "8100"]
    assert env.calls()[2:] == [
        "--user daemon-reload",
        "--user enable --now tolerance.service",
        "--user restart tolerance.service",
    ]


def test_a_failing_systemctl_keeps_the_file_and_exits_1_with_what_to_run(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env.with_systemctl()
    env.fail.touch()
    assert main(["service", "install"]) == 1
    err = capsys.readouterr().err
    assert "Failed to connect to bus" in err and "systemctl --user enable --now tolerance.service" in err
    assert env.unit.is_file()
    assert env.calls() == ["--user daemon-reload"]


def test_uninstall_stops_disables_and_removes_it(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    env.with_systemctl()
    assert main(["service", "install"]) == 0
    assert main(["service", "uninstall"]) == 0
    assert not env.unit.exists()
    assert env.calls()[2:] == ["--user disable --now tolerance.service", "--user daemon-reload"]
    assert main(["service", "uninstall"]) == 0
    assert "No Tolerance service installed" in capsys.readouterr().out


def test_uninstall_without_systemctl_removes_the_unit_and_its_enablement(env: Env) -> None:
    assert main(["service", "install"]) == 0
    wants = env.unit.parent / "default.target.wants"
    wants.mkdir()
    (wants / "tolerance.service").symlink_to(env.unit)  # as `systemctl --user enable` leaves it
    assert main(["service", "uninstall"]) == 0
    assert not env.unit.exists() and not (wants / "tolerance.service").is_symlink()


def test_status_says_what_is_installed_and_whether_it_runs(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["service", "status"]) == 0
    assert capsys.readouterr().out.startswith("Not installed")
    assert main(["service", "install", "--profile", "ana"]) == 0
    capsys.readouterr()
    assert main(["service", "status"]) == 0
    out = capsys.readouterr().out
    assert f"Runs: {TOLERANCE} serve --profile ana" in out and "systemctl is not on PATH" in out
    env.with_systemctl()
    assert main(["service", "status"]) == 0
    assert "Enabled: enabled   Running: active" in capsys.readouterr().out


def test_a_unit_file_tolerance_did_not_write_is_left_alone(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    env.unit.parent.mkdir(parents=True)
    env.unit.write_text("[Service]\nExecStart=/usr/bin/something-else\n")
    assert main(["service", "install"]) == 2
    assert main(["service", "uninstall"]) == 2
    assert env.unit.read_text() == "[Service]\nExecStart=/usr/bin/something-else\n"
    assert "not written by Tolerance" in capsys.readouterr().err


def test_without_xdg_config_home_the_unit_goes_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert main(["service", "install"]) == 0
    assert (tmp_path / ".config" / "systemd" / "user" / "tolerance.service").is_file()


SOURCES = {
    "sim": ["--sim", "stress-spike", "--sim", "calm"],
    "device": ["--device", "Polar H10 1A2B", "--device", "C4:7C:8D:6A:11:22"],
    "replay": ["--replay", "a.log", "--replay", "/abs/b.log"],
}
OPTIONS = [
    "--speed", "2.5", "--seed", "7", "--baseline", "0:180", "--profile", "Ana 100% $HOME \"quoted\" back\\slash",
    "--replay-dir", "replays", "--scenario-dir", "scenarios",
    "--host", "127.0.0.1", "--public-name", "laptop.local", "--public-name", "10.0.0.2",
    "--port", "8100", "--db", "t.sqlite3", "--ecg", "--no-accelerometer",
]  # fmt: skip


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_serve_option_is_written_back_as_serve_would_read_it(env: Env, tmp_path: Path, source: str) -> None:
    given = SOURCES[source] + OPTIONS
    assert main(["service", "install", *given]) == 0
    written = env.exec_start()
    assert written[:2] == [TOLERANCE, "serve"]
    parser = build_parser()
    as_written = vars(parser.parse_args(written[1:]))
    direct = vars(parser.parse_args(["serve", *given]))
    # Relative paths become absolute: the service does not start in this folder.
    direct["replay_dir"], direct["db"] = str(tmp_path / "replays"), str(tmp_path / "t.sqlite3")
    direct["scenario_dir"] = str(tmp_path / "scenarios")
    if source == "replay":
        direct["replay"] = [str(tmp_path / "a.log"), "/abs/b.log"]
    assert as_written == direct


def test_the_service_knows_every_option_of_serve() -> None:
    parser = build_parser()
    serve_dests = set(vars(parser.parse_args(["serve"]))) - {"command", "verbose"}
    known = {dest for dest, *_ in parser.parse_args(["service", "install"]).serve_options}
    assert serve_dests == known
    given = {flag for words in SOURCES.values() for flag in words} | set(OPTIONS)
    assert {flag for _, flag, *_ in parser.parse_args(["service", "install"]).serve_options} <= given


def test_the_installed_command_runs_the_server(env: Env, tmp_path: Path) -> None:
    r = subprocess.run(
        [TOLERANCE, "service", "install", "--sim", "calm", "--port", "0", "--db", "t.sqlite3"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={"XDG_CONFIG_HOME": str(env.config), "HOME": str(tmp_path / "home"), "PATH": str(env.bin)},
    )
    assert r.returncode == 0, r.stderr
    command = env.exec_start()
    assert command[0] == TOLERANCE and Path(command[0]).is_absolute()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd="/", env={"PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and "is live at" not in log.read_text():
            time.sleep(0.05)
        assert re.search(r"Tolerance is live at http://127\.0\.0\.1:\d+/", log.read_text()), log.read_text()
        assert f"data: {tmp_path / 't.sqlite3'}" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(15)
