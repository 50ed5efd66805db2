"""The guard in conftest.py really blocks connections off the loopback interface."""
from __future__ import annotations

import socket

import pytest


def test_connections_off_loopback_are_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(RuntimeError, match="127.0.0.1"):
        sock.connect(("93.184.216.34", 80))
