"""Shared fixtures of the server tests."""

from __future__ import annotations

import pytest
from serve_helpers import HangingListener


@pytest.fixture(scope="module")
def hang():
    """A backend that accepts connections and never answers."""
    listener = HangingListener()
    yield listener
    listener.close()
