"""How much of a conversation the experts see: one rule for the CLI's chat and the server."""

from __future__ import annotations

from collections.abc import Iterable

#: Earlier turns of a conversation passed to the experts (the newest are kept).
MAX_HISTORY = 12
#: An assistant turn of the history is cut to this many characters.
MAX_HISTORY_TURN = 4000


def trim_history(turns: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """The user and assistant turns of ``turns`` (system prompts and tool messages are the
    experts' own business, empty turns say nothing), long answers cut, the newest
    :data:`MAX_HISTORY` kept."""
    out = []
    for turn in turns:
        role, text = turn.get("role"), turn.get("content")
        if role not in ("user", "assistant") or not isinstance(text, str) or not text.strip():
            continue
        if role == "assistant" and len(text) > MAX_HISTORY_TURN:
            text = text[:MAX_HISTORY_TURN]
        out.append({"role": role, "content": text})
    return out[-MAX_HISTORY:]
