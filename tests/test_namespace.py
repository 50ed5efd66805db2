"""Installed, the suite is one namespace: ``hkasean.*``, nothing generic in site-packages."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest

GENERIC = ("corpus", "models", "analysis", "scripts")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, repo_root):
    source, out = tmp_path_factory.mktemp("source") / "repo", tmp_path_factory.mktemp("wheel")
    # built from a copy: setuptools writes build/ and *.egg-info next to the sources it builds
    shutil.copytree(repo_root, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", ".pytest_cache", "hkasean-output", "tests"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(source)], check=True, capture_output=True)
    (built,) = out.glob("hkasean-*.whl")
    return built


def test_the_wheel_holds_only_the_hkasean_namespace(wheel):
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
        names = set(archive.namelist())
    assert {top for top in tops if not top.endswith(".dist-info")} == {"hkasean"}
    assert {"hkasean/contract.py", "hkasean/models/base.py", "hkasean/corpus/sample/corpus.jsonl",
            "hkasean/models/data/codebook.yaml", "hkasean/analysis/data/trade.csv",
            "hkasean/analysis/data/explorer.html", "hkasean/analysis/data/explorer.js",
            "hkasean/analysis/data/explorer.css"} <= names  # explore.html's template


def test_a_fresh_venv_imports_hkasean_models_but_not_models(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    str(wheel)], check=True, capture_output=True)
    ok = subprocess.run([str(python), "-c", "import hkasean.models, hkasean.contract; print(hkasean.models.__file__)"],
                        cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert str(venv) in ok.stdout
    for name in GENERIC:
        missing = subprocess.run([str(python), "-c", f"import {name}"], cwd=tmp_path, capture_output=True, text=True)
        assert missing.returncode != 0 and "ModuleNotFoundError" in missing.stderr, name
