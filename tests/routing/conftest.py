"""Shared fixtures of the routing tests: the labelled sets, their embeddings, the routers."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def labelled():
    from triforce.routing.evaluate import load_examples

    return load_examples()


@pytest.fixture(scope="session")
def heldout():
    from triforce.routing.evaluate import data_path, load_examples

    return load_examples(data_path("routing_heldout.jsonl"))


@pytest.fixture(scope="session")
def labelled_data(labelled):
    """Keyword outputs and embeddings of the labelled set, computed once per session."""
    from triforce.routing import hybrid

    return hybrid.prepare(labelled)


@pytest.fixture(scope="session")
def hybrid_router():
    """The hybrid router with the packaged head (whatever the user's data dir holds)."""
    from triforce.routing import hybrid

    return hybrid.load_router("hybrid", head=hybrid.packaged_head_path())


@pytest.fixture(scope="session")
def embedding_router():
    from triforce.routing import hybrid

    return hybrid.load_router("embedding", head=hybrid.packaged_head_path())
