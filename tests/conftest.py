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


@pytest.fixture(autouse=True, scope="session")
def _private_data_dirs(tmp_path_factory):
    """No test writes to the user's real data or config directories."""
    saved = {k: os.environ.get(k) for k in ("TRIFORCE_DATA_DIR", "TRIFORCE_CONFIG_DIR")}
    os.environ["TRIFORCE_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    os.environ["TRIFORCE_CONFIG_DIR"] = str(tmp_path_factory.mktemp("config"))
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
