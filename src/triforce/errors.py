"""Errors a user can cause, and the number syntax every front end accepts."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in what the user asked for: shown as one line, exit code 1.

    ``location`` is ``file:line`` (or just a file) where there is one.
    """

    def __init__(self, message: str, location: str | None = None) -> None:
        self.location = location
        super().__init__(message)

    def __str__(self) -> str:
        msg = super().__str__()
        return f"{self.location}: {msg}" if self.location else msg


def read_user_text(path, what: str = "file") -> str:
    """A user's text file, or one clear UserError naming it (missing, a directory, not UTF-8)."""
    from pathlib import Path

    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError("no such file", str(p)) from None
    except IsADirectoryError:
        raise UserError(f"is a directory, not a {what}", str(p)) from None
    except UnicodeDecodeError:
        raise UserError(f"the {what} is not UTF-8 text", str(p)) from None
    except OSError as exc:
        raise UserError(f"cannot read the {what}: {exc.strerror}", str(p)) from None


def parse_number(text: str, *, bits: int = 24, what: str = "value", hex_default: bool = True) -> int:
    """Parse ``$1234``, ``0x1234``, ``%0101``, ``$00:8000``; bare digits are hex by default.

    Raises UserError naming ``what`` when the text is not a number or does not fit.
    """
    t = text.strip().replace("_", "")
    if not t:
        raise UserError(f"empty {what}")
    try:
        if ":" in t:
            bank, _, off = t.partition(":")
            value = (parse_number(bank, bits=8, what=what) << 16) | parse_number(off, bits=16, what=what)
        elif t.startswith("$"):
            value = int(t[1:], 16)
        elif t.lower().startswith("0x"):
            value = int(t[2:], 16)
        elif t.startswith("%"):
            value = int(t[1:], 2)
        elif t.lower().startswith("0b"):
            value = int(t[2:], 2)
        else:
            value = int(t, 16 if hex_default else 10)
    except ValueError:
        raise UserError(f"{what} '{text}' is not a number") from None
    if value < 0 or value >= 1 << bits:
        raise UserError(f"{what} '{text}' is out of range (0 to ${(1 << bits) - 1:X})")
    return value


def load_toml(text: str, where: str) -> dict:
    """Parse TOML, or one UserError at ``where:line`` in the message's words."""
    import re
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)  # Python 3.14+
        msg = getattr(exc, "msg", None) or str(exc)
        m = re.search(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$", msg)
        if m:  # older Pythons put the position in the message
            line = line or (int(m.group(1)) if m.group(1) else text.count("\n") or 1)
            msg = msg[:m.start()]
        raise UserError(f"malformed TOML: {msg}", f"{where}:{line}" if line else where) from None


#: Bounds on JSON a user sends: nesting depth and digits in one number.
MAX_JSON_DEPTH = 100
MAX_JSON_DIGITS = 100


def load_json(text: str, where: str | None = None):
    """Parse a user's JSON, or one UserError (at ``where``, with the line of a syntax error).

    Refused besides malformed JSON: ``NaN`` and ``Infinity`` (not JSON), a number out of
    float range or with more than :data:`MAX_JSON_DIGITS` digits, nesting deeper than
    :data:`MAX_JSON_DEPTH`, and a string holding a lone UTF-16 surrogate (not Unicode).
    """
    import json
    import math
    import re
    from itertools import accumulate

    # Strings out of the way (an unterminated one runs to the end); then scan what is left.
    bare = re.sub(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', '""', text, flags=re.DOTALL)
    if re.search(rf"\d{{{MAX_JSON_DIGITS + 1}}}", bare):
        raise UserError(f"a JSON number longer than {MAX_JSON_DIGITS} digits", where)
    steps = map({"[": 1, "{": 1, "]": -1, "}": -1}.__getitem__, re.sub(r"[^\[\]{}]+", "", bare))
    if max(accumulate(steps), default=0) > MAX_JSON_DEPTH:
        raise UserError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", where)

    def constant(name: str):
        raise UserError(f"not valid JSON: {name} is not a JSON number", where)

    def number(s: str) -> float:
        value = float(s)
        if not math.isfinite(value):
            raise UserError(f"a JSON number out of range: {s}", where)
        return value

    try:
        data = json.loads(text, parse_constant=constant, parse_float=number)
    except json.JSONDecodeError as exc:
        if where:
            raise UserError(f"not valid JSON: {exc.msg}", f"{where}:{exc.lineno}") from None
        raise UserError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
                        ) from None
    if re.search(r"\\u[dD][89a-fA-F]", text):      # an escaped surrogate: is it paired?
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = ord(exc.object[exc.start])
            raise UserError(f"not valid JSON: a lone surrogate \\u{bad:04x} in a string",
                            where) from None
    return data
