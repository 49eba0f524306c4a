"""deploy/: the systemd units start the real entry points as a hardened, dedicated user;
`systemd-analyze verify` accepts them; the environment example lists every variable the
application reads or README documents; gunicorn is sized by WEB_CONCURRENCY."""

from __future__ import annotations

import re
import runpy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
INSTALL_DIR = "/opt/sheetforce"
SERVICES = {
    "sheetforce-web.service": ["gunicorn", "sheetforce.wsgi:application"],
    "sheetforce-qcluster.service": ["manage.py", "qcluster"],
    "sheetforce-listener.service": ["manage.py", "listen_changes"],
    "sheetforce-migrate.service": ["manage.py", "migrate"],
}
HARDENING = {
    "NoNewPrivileges": "yes", "PrivateTmp": "yes", "ProtectSystem": "strict",
    "ProtectHome": "yes", "PrivateDevices": "yes", "ReadWritePaths": "/var/lib/sheetforce",
    "RestrictSUIDSGID": "yes", "CapabilityBoundingSet": "", "UMask": "0077",
}


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """``[Section] Key=value`` → {section: {key: [values]}} (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None, f"{path.name}: {raw!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def service(name: str) -> dict[str, list[str]]:
    return parse_unit(UNITS / name)["Service"]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_unit_starts_a_real_entry_point(name):
    [exec_start] = service(name)["ExecStart"]
    argv = shlex.split(exec_start)
    program = Path(argv[0])
    assert program.parent == Path(INSTALL_DIR, ".venv", "bin")
    assert (Path(sys.executable).parent / program.name).exists()  # our venv has it too
    expected = SERVICES[name]
    if expected[0] == "manage.py":
        assert argv[1] == f"{INSTALL_DIR}/manage.py"
        assert argv[2] == expected[1]
        from django.core.management import get_commands

        assert expected[1] in get_commands()
    else:
        assert argv[argv.index("--config") + 1] == f"{INSTALL_DIR}/deploy/gunicorn.conf.py"
        module, attribute = argv[-1].split(":")
        assert argv[-1] == expected[1]
        import importlib

        assert callable(getattr(importlib.import_module(module), attribute))


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_unit_runs_hardened_as_the_sheetforce_user(name):
    options = service(name)
    assert options["User"] == ["sheetforce"] and options["Group"] == ["sheetforce"]
    assert options["WorkingDirectory"] == [INSTALL_DIR]
    assert options["EnvironmentFile"] == ["/etc/sheetforce/sheetforce.env"]
    for key, value in HARDENING.items():
        assert options.get(key) == [value], (name, key)
    assert any("SHEETFORCE_VAR_DIR=/var/lib/sheetforce" in e for e in options["Environment"])


@pytest.mark.parametrize("name", ["sheetforce-web.service", "sheetforce-qcluster.service",
                                  "sheetforce-listener.service"])
def test_long_running_units_restart_on_failure(name):
    options = service(name)
    assert options["Type"] == ["simple"]
    assert options["Restart"] == ["on-failure"]
    assert parse_unit(UNITS / name)["Install"]["WantedBy"] == ["sheetforce.target"]


def test_migrations_run_once_before_the_web_server_only():
    assert service("sheetforce-migrate.service")["Type"] == ["oneshot"]
    web = parse_unit(UNITS / "sheetforce-web.service")["Unit"]
    assert "sheetforce-migrate.service" in web["Requires"][0].split()
    assert "sheetforce-migrate.service" in web["After"][0].split()
    for name in SERVICES:
        starts = " ".join(service(name)["ExecStart"] + service(name).get("ExecStartPre", []))
        assert ("migrate" in starts) == (name == "sheetforce-migrate.service"), name


def test_the_target_wants_every_long_running_unit():
    wants = parse_unit(UNITS / "sheetforce.target")["Unit"]["Wants"][0].split()
    assert sorted(wants) == ["sheetforce-listener.service", "sheetforce-qcluster.service",
                             "sheetforce-web.service"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed (apt-get install systemd; "
                           ".ci/run installs it)")
def test_systemd_accepts_the_units(tmp_path):
    # The units point at /opt/sheetforce; here the checkout and its venv stand in.
    venv = Path(sys.executable).parent.parent
    for unit in UNITS.iterdir():
        text = unit.read_text().replace(f"{INSTALL_DIR}/.venv", str(venv))
        (tmp_path / unit.name).write_text(text.replace(INSTALL_DIR, str(ROOT)))
    result = subprocess.run(["systemd-analyze", "verify", *sorted(map(str, tmp_path.iterdir()))],
                            capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Unknown keys and bad values are only warnings to systemd: not to us.
    assert not re.search(r"Unknown (key|section)|[Ff]ailed to parse|ignoring", output), output


def test_the_nginx_example_forwards_what_the_application_expects():
    text = (DEPLOY / "nginx" / "sheetforce.conf").read_text()
    assert "proxy_pass http://sheetforce;" in text and "server 127.0.0.1:8000;" in text
    for header in ("Host $host", "X-Forwarded-Proto $scheme", "X-Forwarded-For $remote_addr"):
        assert f"proxy_set_header {header};" in text
    assert "ssl_certificate " in text and "return 301 https://" in text
    assert "SHEETFORCE_TRUSTED_PROXIES" in text


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "sheetforce.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def _documented_in_readme() -> set[str]:
    text = (ROOT / "README.md").read_text()
    table = text[text.index("## Configuration"):text.index("## Connecting")]
    first_cells = [row.split("|")[1] for row in table.splitlines() if row.startswith("| `")]
    return {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def _read_by_the_application() -> set[str]:
    settings = (ROOT / "sheetforce" / "settings.py").read_text()
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    return (set(re.findall(r'env(?:\.\w+)?\("([A-Z][A-Z0-9_]+)"', settings))
            | set(re.findall(r'os\.environ\.get\("([A-Z][A-Z0-9_]+)"', gunicorn)))


def test_the_env_example_lists_every_variable_readme_documents_and_the_app_reads():
    listed = set(_env_example())
    assert _documented_in_readme() - listed == set()
    assert _read_by_the_application() - listed == set()
    assert {"WEB_CONCURRENCY", "METRICS_TOKEN", "LOG_FORMAT", "SHEETFORCE_TRUSTED_PROXIES",
            "SHEETFORCE_REALTIME_ENABLED"} <= listed
    # ...and README documents every variable of the example.
    assert listed - _documented_in_readme() == set()


def test_the_env_example_holds_no_usable_secret():
    values = _env_example()
    assert values["SECRET_KEY"] == "CHANGE-ME" and values["FIELD_ENCRYPTION_KEY"] == "CHANGE-ME"
    assert values["METRICS_TOKEN"] == ""  # /metrics stays off until someone picks a token
    assert values["DEBUG"] == "false"


def _gunicorn_settings(monkeypatch, **env) -> dict:
    for key in ("WEB_CONCURRENCY", "SHEETFORCE_BIND", "LOG_FORMAT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_gunicorn_is_sized_by_web_concurrency(monkeypatch):
    conf = _gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3",
                              SHEETFORCE_BIND="127.0.0.1:9000, unix:/run/sheetforce.sock")
    assert conf["workers"] == 3
    assert conf["bind"] == ["127.0.0.1:9000", "unix:/run/sheetforce.sock"]
    assert conf["wsgi_app"] == "sheetforce.wsgi:application"
    assert "logconfig_dict" not in conf

    default = _gunicorn_settings(monkeypatch)
    assert 1 <= default["workers"] <= 8
    assert default["bind"] == ["127.0.0.1:8000"]
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY"):
        _gunicorn_settings(monkeypatch, WEB_CONCURRENCY="many")


def test_gunicorn_logs_json_without_query_strings(monkeypatch):
    conf = _gunicorn_settings(monkeypatch, LOG_FORMAT="json")
    loggers = conf["logconfig_dict"]["loggers"]
    assert set(loggers) == {"gunicorn.error", "gunicorn.access"}
    assert "%(U)s" in conf["access_log_format"] and "%(r)s" not in conf["access_log_format"]
    assert "%(q)s" not in conf["access_log_format"]
