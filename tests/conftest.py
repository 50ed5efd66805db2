"""Shared test fixtures: paths to the bundled data and the optional ../shared reference data."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def private_data_home(tmp_path_factory):
    """Keys, stores and caches the suite makes by default go to a scratch folder, never the user's home."""
    import os

    home = tmp_path_factory.mktemp("hkasean-home")
    previous = os.environ.get("HKASEAN_HOME")
    os.environ["HKASEAN_HOME"] = str(home)
    yield home
    if previous is None:
        del os.environ["HKASEAN_HOME"]
    else:
        os.environ["HKASEAN_HOME"] = previous


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


LOOPBACK = ("127.", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_internet(monkeypatch, request):
    """Tests never touch the internet: any socket connection off the loopback interface fails loudly.

    URLs of www.info.gov.hk appear in the tests only as data (parser inputs, stored fields); the
    crawler is always pointed at a local server on 127.0.0.1. The only exception is a test marked
    ``network`` (a live smoke test of a real service), which the default run and CI deselect.
    """
    import socket

    if request.node.get_closest_marker("network"):
        return
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not str(host).startswith(LOOPBACK):
            raise RuntimeError(f"test tried to reach {address!r}: tests must stay on 127.0.0.1")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture()
def site():
    """The local info.gov.hk test site (``tests/infogovhk_site.py``), served on 127.0.0.1 for one test."""
    from infogovhk_site import LocalSite

    running = LocalSite().start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> Path:
    """One whole run of the bundled sample with the fast test config (``tests/fast_config.yaml``), written once per
    session for the tests that read a finished output folder (the explorer's)."""
    from hkasean.scripts.cli import main

    out = tmp_path_factory.mktemp("sample-run") / "out"
    assert main(["--quiet", "run", "--config", str(REPO / "tests" / "fast_config.yaml"), "--out", str(out)]) == 0
    return out
