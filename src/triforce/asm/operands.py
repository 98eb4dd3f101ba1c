"""Splitting a directive's or instruction's operand text into its arguments."""

from __future__ import annotations


def split_args(text: str) -> list[str]:
    """Split on top-level commas (not inside quotes, parentheses or brackets)."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    quote: str | None = None
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    tail = "".join(cur).strip()
    if tail or out:
        out.append(tail)
    return out
