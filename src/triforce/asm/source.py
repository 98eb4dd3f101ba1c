"""Reading source files: lines with their origin, comments removed, continuations joined."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from triforce.asm.expr import AsmError

MAX_LINE = 1 << 20  # a longer line is refused with an error, not processed
MAX_FILE = 64 << 20  # a larger file (or a device that never ends) is refused, not read
_SEPARATOR = re.compile(r"[ \t]:[ \t]")


@dataclass(frozen=True, slots=True)
class Line:
    file: str
    number: int
    text: str  # without the comment, stripped


def outside_quotes(text: str):
    """(index, character) of every character of ``text`` that is not inside quotes."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        else:
            yield i, ch


def comment_start(text: str) -> int:
    """Index of the ``;`` that starts the comment (outside quotes), or -1."""
    if ";" in text:
        for i, ch in outside_quotes(text):
            if ch == ";":
                return i
    return -1


def strip_comment(text: str) -> str:
    """The line without its ``;`` comment (semicolons inside quotes are kept)."""
    at = comment_start(text)
    return text if at < 0 else text[:at]


def split_statements(text: str) -> list[str]:
    """Split a line on `` : `` separators outside quotes."""
    if ":" not in text or not _SEPARATOR.search(text):
        return [text]
    parts, quote, start = [], None, 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == ":" and i > 0 and text[i - 1] in " \t" and text[i + 1 : i + 2] in (" ", "\t"):
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def split_lines(text: str, file: str) -> list[Line]:
    """Source text to logical lines (a trailing ``\\`` joins the next line)."""
    if "\x00" in text:
        raise AsmError("the file is not text (it holds NUL bytes)", "Ebinary_file", file)
    out: list[Line] = []
    pending = ""
    start = 0
    for i, raw in enumerate(text.splitlines(), 1):
        if len(raw) > MAX_LINE:
            raise AsmError(f"line is longer than {MAX_LINE} characters", "Eline_too_long", f"{file}:{i}")
        if raw.lstrip().startswith(";@"):
            raw = raw.lstrip()[2:]  # ";@" marks a command older tools skip as a comment
        body = strip_comment(raw).rstrip()
        if pending:
            body = pending + body.lstrip()
        else:
            start = i
        if body.endswith("\\"):
            pending = body[:-1]
            continue
        if body.endswith(","):
            pending = body  # a trailing comma continues the statement on the next line
            continue
        pending = ""
        body = body.strip()
        if body:
            out += [Line(file, start, part) for part in split_statements(body)]
    if pending.strip():
        out.append(Line(file, start, pending.strip()))
    return out


#: Lines and statements one assembly may execute, all passes together, before it stops with
#: ``Ework_limit``: a large disassembly takes a few hundred thousand; a source that loops or
#: expands macros without end meets it within seconds.
MAX_WORK = 2_000_000
#: The same bound for code in a sandbox: what fits in an answer takes a few thousand.
SANDBOX_WORK = 200_000


@dataclass(frozen=True)
class Sandbox:
    """What the assembler may do with code run for someone else: read files inside ``root``
    (symlinks resolved before the check), or none when ``root`` is None; execute at most
    ``max_work`` lines and statements.

    Code the user points at (``--file``, ``--project``) is assembled with its folder or
    project as the root; code that arrived in a question, a request body or a model's reply
    gets ``Sandbox()`` and reads no file at all. ``assemble`` without a sandbox reads
    anywhere, as asar does for the user's own command. A refused file is an error that
    names it; the file is not opened, and nothing outside the root is looked at.
    """

    root: Path | None = None
    max_work: int = SANDBOX_WORK

    def __post_init__(self) -> None:
        if self.root is not None:
            object.__setattr__(self, "root", Path(os.path.realpath(self.root)))

    def admit(self, path: str) -> Path:
        """The real path to open for ``path``; AsmError when it lies outside the root."""
        root = self.root
        if root is None:
            raise AsmError(f"file '{path}' is not read: code given in a question or a reply "
                           "may not read files (give it as a file)", "Efile_refused")
        lexical = Path(os.path.abspath(path))
        # outside the root by its name alone: refused without touching the disk; inside, the
        # links it passes through are resolved and the real path is checked again
        if not lexical.is_relative_to(root) or not (
                real := Path(os.path.realpath(lexical))).is_relative_to(root):
            raise AsmError(f"file '{path}' is outside {root}: files there are not read",
                           "Efile_refused")
        return real


NO_FILES = Sandbox()  # code from a question, a request or a model's reply reads no file


def _read_disk(path: Path, follow: bool) -> bytes:
    """A regular file's bytes, at most MAX_FILE of them (a FIFO or a device is refused
    before anything is read from it)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise AsmError(f"file '{path}' not found", "Efile_not_found") from None
    except IsADirectoryError:
        raise AsmError(f"'{path}' is a directory", "Efile_not_found") from None
    except OSError as exc:
        raise AsmError(f"cannot read '{path}': {exc.strerror}", "Efile_not_found") from None
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise AsmError(f"'{path}' is a directory", "Efile_not_found")
        if not stat.S_ISREG(mode):
            raise AsmError(f"'{path}' is not a regular file", "Efile_not_found")
        data = f.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise AsmError(f"'{path}' is larger than {MAX_FILE >> 20} MiB", "Efile_too_large")
    return data


class SourceFiles:
    """Files by path, from disk or from an in-memory dict; each read and split once. With a
    :class:`Sandbox`, a path on disk is checked against it before it is looked at."""

    def __init__(self, files: dict[str, str | bytes] | None = None,
                 sandbox: Sandbox | None = None) -> None:
        self.virtual = {str(Path(k)): v for k, v in (files or {}).items()}
        self.sandbox = sandbox
        self._lines: dict[str, list[Line]] = {}
        self._bytes: dict[str, bytes] = {}

    def _disk_path(self, path: str) -> Path:
        return self.sandbox.admit(path) if self.sandbox is not None else Path(path)

    def exists(self, path: str) -> bool:
        """Is there such a file? AsmError when the sandbox refuses the path."""
        if str(Path(path)) in self.virtual:
            return True
        disk = self._disk_path(path)
        return disk.exists() and not disk.is_dir()  # a device is found, then refused

    def identity(self, path: str) -> str:
        """One name per file, whatever path reached it (for includeonce and include loops)."""
        if str(Path(path)) in self.virtual:
            return path
        real = self._disk_path(path)
        return str(real.resolve()) if real.exists() else path

    def read_bytes(self, path: str) -> bytes:
        key = str(Path(path))
        if key in self._bytes:
            return self._bytes[key]
        if key in self.virtual:
            v = self.virtual[key]
            data = v.encode("utf-8", "surrogatepass") if isinstance(v, str) else bytes(v)
        else:
            data = _read_disk(self._disk_path(path), follow=self.sandbox is None)
        self._bytes[key] = data
        return data

    def end_line(self, path: str) -> int:
        """The line asar names for errors found at the end of a file (one past its last)."""
        data = self.read_bytes(path)
        return data.count(b"\n") + 2

    def lines(self, path: str, display: str) -> list[Line]:
        key = str(Path(path))
        got = self._lines.get(key)
        if got is None:
            data = self.read_bytes(path)
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise AsmError("the file is not UTF-8 text", "Ebinary_file", display) from None
            got = split_lines(text, display)
            self._lines[key] = got
        return got
