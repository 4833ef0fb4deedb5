import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_is_documented():
    settings = (ROOT / "leanmark" / "settings.py").read_text()
    clis = "".join(p.read_text() for p in (ROOT / "leanmark").rglob("cli.py"))
    used = set(re.findall(r'env_(?:str|bool|int|secret)\("([A-Z_]+)"', settings))
    used |= set(re.findall(r'envvar="([A-Z_]+)"', clis))
    documented = set(
        re.findall(r"^\| `([A-Z_]+)`", (ROOT / "docs" / "configuration.md").read_text(), re.M)
    )
    assert used, "found no environment variables: the pattern is broken"
    assert used - documented == set(), "document these in docs/configuration.md"


def test_the_domain_package_loads_without_django():
    code = (
        "import sys, pkgutil, importlib, leanmark.domain as d\n"
        "for m in pkgutil.iter_modules(d.__path__):\n"
        "    importlib.import_module('leanmark.domain.' + m.name)\n"
        "assert 'django' not in sys.modules, 'a domain module imported Django'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)  # noqa: S603


def import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with only these environment variables."""
    return subprocess.run(
        [sys.executable, "-c", "import leanmark.settings"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = import_settings(LEANMARK_DATA_DIR=str(tmp_path), LEANMARK_DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_bad_boolean_names_the_variable(tmp_path):
    result = import_settings(
        SECRET_KEY="x", LEANMARK_DEBUG="maybe", LEANMARK_DATA_DIR=str(tmp_path)
    )
    assert "LEANMARK_DEBUG='maybe' is not a boolean" in result.stderr
