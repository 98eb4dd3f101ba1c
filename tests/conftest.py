"""Shared test fixtures: where the third-party conformance data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def conformance_dir() -> Path:
    """``../shared/conformance`` beside the repository (or $TRIFORCE_CONFORMANCE).

    Missing data is an error, never a skip: the conformance tests are the proof
    that the emulator is exact.
    """
    env = os.environ.get("TRIFORCE_CONFORMANCE")
    path = Path(env) if env else REPO.parent / "shared" / "conformance"
    if not path.is_dir():
        pytest.fail(f"conformance data not found at {path} (set TRIFORCE_CONFORMANCE)")
    return path


@pytest.fixture(scope="session")
def conformance() -> Path:
    return conformance_dir()
