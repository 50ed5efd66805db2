"""environment.yml (conda route) and requirements.lock (pip route) must pin the same versions."""
from __future__ import annotations

import re
import tomllib

import yaml


def _lock(repo_root) -> dict[str, str]:
    pins = {}
    for line in (repo_root / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def _conda(repo_root) -> dict[str, str]:
    env = yaml.safe_load((repo_root / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep.get("pip", []):
                name, version = pip_dep.split("==")
                pins[name.lower()] = version
        else:
            match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:=+([^=]+))?", dep)
            assert match, f"unparsable conda dependency {dep!r}"
            if match.group(1) not in ("python", "pip"):
                pins[match.group(1).lower()] = match.group(2)
    return pins


def test_conda_and_pip_pins_agree(repo_root):
    assert _conda(repo_root) == _lock(repo_root)


def test_every_declared_dependency_is_pinned(repo_root):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    names = {re.split(r"[<>=!~\[ ]", d, maxsplit=1)[0].lower() for d in declared}
    assert names <= set(_lock(repo_root)), names - set(_lock(repo_root))


def test_environment_python_is_311(repo_root):
    env = yaml.safe_load((repo_root / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
