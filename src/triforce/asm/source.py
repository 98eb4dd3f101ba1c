"""Reading source files: lines with their origin, comments removed, continuations joined."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from triforce.asm.expr import AsmError

MAX_LINE = 1 << 20  # a longer line is refused with an error, not processed
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


class SourceFiles:
    """Files by path, from disk or from an in-memory dict; each read and split once."""

    def __init__(self, files: dict[str, str | bytes] | None = None) -> None:
        self.virtual = {str(Path(k)): v for k, v in (files or {}).items()}
        self._lines: dict[str, list[Line]] = {}
        self._bytes: dict[str, bytes] = {}

    def exists(self, path: str) -> bool:
        return str(Path(path)) in self.virtual or Path(path).is_file()

    def read_bytes(self, path: str) -> bytes:
        key = str(Path(path))
        if key in self._bytes:
            return self._bytes[key]
        if key in self.virtual:
            v = self.virtual[key]
            data = v.encode("utf-8") if isinstance(v, str) else bytes(v)
        else:
            try:
                data = Path(path).read_bytes()
            except FileNotFoundError:
                raise AsmError(f"file '{path}' not found", "Efile_not_found") from None
            except IsADirectoryError:
                raise AsmError(f"'{path}' is a directory", "Efile_not_found") from None
            except OSError as exc:
                raise AsmError(f"cannot read '{path}': {exc.strerror}", "Efile_not_found") from None
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
