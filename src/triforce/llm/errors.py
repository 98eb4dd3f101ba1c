"""Why a backend could not answer: one exception class per kind, under BackendError.

A leaf module: the HTTP client, the probes and every backend import it, it imports
nothing of theirs. The orchestrator moves on to the next backend of the fallback chain
for every kind but :class:`Refused` (the request itself is at fault).
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from triforce.errors import UserError


class ErrorKind(StrEnum):
    """The kinds of backend failure, as the server's error replies name them."""

    UNREACHABLE = "unreachable"
    MISSING_MODEL = "missing_model"
    TIMEOUT = "timeout"
    REFUSED = "refused"
    BAD_REPLY = "bad_reply"
    NOT_INSTALLED = "not_installed"


class BackendError(UserError):
    """A backend could not answer. Raise one of the subclasses; ``kind`` names which."""

    kind: ClassVar[ErrorKind] = ErrorKind.UNREACHABLE

    def __init__(self, backend: str, message: str) -> None:
        self.backend = backend
        super().__init__(f"{backend}: {message}")

    @property
    def falls_back(self) -> bool:
        """True when the next backend of a chain may answer instead."""
        return self.kind is not ErrorKind.REFUSED

    @staticmethod
    def of_kind(kind: ErrorKind | str) -> type[BackendError]:
        """The exception class for a kind."""
        return _BY_KIND[ErrorKind(kind)]


class Unreachable(BackendError):
    """The server is down, the address is unusable, or the connection broke."""

    kind = ErrorKind.UNREACHABLE


class MissingModel(BackendError):
    """The model or adapter asked for is not there."""

    kind = ErrorKind.MISSING_MODEL


class BackendTimeout(BackendError):
    """No answer within the request's deadline."""

    kind = ErrorKind.TIMEOUT


class Refused(BackendError):
    """The server refused the request itself (bad key, bad parameters)."""

    kind = ErrorKind.REFUSED


class BadReply(BackendError):
    """The server answered something that is not a usable reply."""

    kind = ErrorKind.BAD_REPLY


class NotInstalled(BackendError):
    """The backend's packages or model are not installed."""

    kind = ErrorKind.NOT_INSTALLED


_BY_KIND: dict[ErrorKind, type[BackendError]] = {
    cls.kind: cls for cls in (Unreachable, MissingModel, BackendTimeout, Refused, BadReply,
                              NotInstalled)}
