"""Chat messages for one expert and one question, cut to the expert's context budget."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from triforce.experts.registry import Expert

#: Rough size of a token in characters, for budgeting without a tokenizer.
CHARS_PER_TOKEN = 4
#: Share of the context kept free for the answer.
REPLY_SHARE = 0.25


def build_messages(
    expert: Expert,
    question: str,
    *,
    facts: Iterable[str] = (),
    history: Iterable[Mapping[str, str] | tuple[str, str]] = (),
    max_chars: int | None = None,
) -> list[dict[str, str]]:
    """System prompt (+ a facts block) , few-shot pairs, history, then the question.

    ``history`` holds earlier turns as ``{"role", "content"}`` dicts or ``(role, content)``
    pairs. The messages are kept within ``max_chars`` (default: the expert's ``num_ctx``
    at ~4 characters a token, less a quarter kept for the reply) by dropping, in order,
    the oldest history turns, the few-shot pairs (last first) and the facts (last first).
    The system prompt and the question are always kept whole, even over budget.
    """
    if max_chars is None:
        max_chars = int(expert.sampling.num_ctx * CHARS_PER_TOKEN * (1 - REPLY_SHARE))
    facts = [f.strip() for f in facts if f and f.strip()]
    turns = [_turn(h) for h in history]
    shots = list(expert.few_shot)

    def assemble() -> list[dict[str, str]]:
        system = expert.system_prompt
        if facts:
            system += "\n\nFacts (verified; rely on them):\n" + "\n".join(f"- {f}" for f in facts)
        msgs = [{"role": "system", "content": system}]
        for s in shots:
            msgs.append({"role": "user", "content": s.user})
            msgs.append({"role": "assistant", "content": s.assistant})
        msgs.extend(turns)
        msgs.append({"role": "user", "content": question})
        return msgs

    msgs = assemble()
    while _size(msgs) > max_chars:
        if turns:
            del turns[0]
        elif shots:
            shots.pop()
        elif facts:
            facts.pop()
        else:
            break
        msgs = assemble()
    return msgs


def _turn(h: Mapping[str, str] | tuple[str, str]) -> dict[str, str]:
    role, content = (h["role"], h["content"]) if isinstance(h, Mapping) else h
    if role not in ("user", "assistant"):
        raise ValueError(f"history role must be 'user' or 'assistant', not {role!r}")
    return {"role": role, "content": content}


def _size(msgs: list[dict[str, str]]) -> int:
    return sum(len(m["content"]) for m in msgs)
