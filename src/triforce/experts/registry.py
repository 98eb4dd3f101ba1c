"""The expert registry: ``triforce/data/experts.toml`` plus the user's overrides.

Every expert is a row of that file, not a class. A user file in the same format
(``$TRIFORCE_CONFIG_DIR/experts.toml``, else ``$XDG_CONFIG_HOME/triforce/experts.toml``,
else ``~/.config/triforce/experts.toml``) may change any field of an expert or add one;
tables merge key by key, lists (tools, few_shot) are replaced whole.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from triforce.errors import UserError, load_toml
from triforce.llm import BACKEND_NAMES

#: The intents of the router (``triforce/data/routing.toml``); each needs an expert.
INTENTS = ("optimization", "generation", "debugging", "analysis", "architecture",
           "vulnerability", "integration", "protection", "mapping", "general")
#: The tools an expert may call.
TOOLS = ("assemble", "disassemble", "run", "cycles", "lint", "equivalence", "optimize",
         "register_lookup", "read_file")
#: Where an expert can be served.
BACKENDS = BACKEND_NAMES

_EXPERT_KEYS = {"name", "intent", "description", "system_prompt", "tools", "sampling",
                "few_shot", "backends"}
_SAMPLING_RANGES = {  # field: (type, low, high)
    "temperature": (float, 0.0, 2.0),
    "top_p": (float, 0.0, 1.0),
    "top_k": (int, 0, 1000),
    "num_ctx": (int, 256, 1_048_576),
}
_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 40
    num_ctx: int = 4096


@dataclass(frozen=True)
class FewShot:
    user: str
    assistant: str


@dataclass(frozen=True)
class Expert:
    id: str
    name: str
    intent: str
    description: str
    system_prompt: str
    sampling: Sampling = field(default_factory=Sampling)
    few_shot: tuple[FewShot, ...] = ()
    tools: tuple[str, ...] = ()
    #: backend -> model tag / adapter name; ``embedded`` None = the base model with the prompt.
    backends: dict[str, str | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "intent": self.intent,
            "description": self.description, "system_prompt": self.system_prompt,
            "sampling": vars(self.sampling).copy(),
            "few_shot": [{"user": f.user, "assistant": f.assistant} for f in self.few_shot],
            "tools": list(self.tools), "backends": dict(self.backends),
        }


@dataclass(frozen=True)
class Registry:
    experts: dict[str, Expert]
    #: tier (fast / balanced / quality) -> backend -> base model
    tiers: dict[str, dict[str, str]]
    sources: tuple[str, ...] = ()

    def get(self, name: str) -> Expert:
        try:
            return self.experts[name.lower()]
        except KeyError:
            raise UserError(f"unknown expert '{name}' (known: {', '.join(self.names())})") from None

    def by_intent(self, intent: str) -> Expert:
        """The expert of ``intent``: the first defined (packaged experts come first)."""
        for e in self.experts.values():
            if e.intent == intent:
                return e
        raise UserError(f"no expert for intent '{intent}'")

    def names(self) -> list[str]:
        return list(self.experts)

    def __iter__(self):
        return iter(self.experts.values())

    def __len__(self) -> int:
        return len(self.experts)


def adapter_path(expert: Expert) -> Path | None:
    """The expert's embedded LoRA adapter file (relative names live beside the user's
    ``experts.toml``), or None when the expert uses the base model with its prompt.
    The file need not exist: no trained adapter yet means the base model answers."""
    name = expert.backends.get("embedded")
    if not name:
        return None
    p = Path(name).expanduser()
    return p if p.is_absolute() else config_path().parent / p


def config_path() -> Path:
    """Where the user's ``experts.toml`` lives (it need not exist)."""
    env = os.environ.get("TRIFORCE_CONFIG_DIR")
    if env:
        return Path(env) / "experts.toml"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg else Path.home() / ".config"
    return base / "triforce" / "experts.toml"


def load_registry(path: str | Path | None = None) -> Registry:
    """The packaged experts merged with the overrides in ``path`` (default: ``config_path()``).

    A missing default override file is fine; a missing explicit ``path`` is a UserError.
    Any malformed file raises one UserError naming the file (and line where known).
    """
    text = resources.files("triforce").joinpath("data/experts.toml").read_text("utf-8")
    where = "triforce/data/experts.toml"
    data = _parse(text, where)
    sources = [where]
    last = (where, text)
    override = Path(path) if path is not None else config_path()
    if override.is_file():
        try:
            otext = override.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read: {exc}", str(override)) from None
        odata = _parse(otext, str(override))
        data = _merge(data, odata)
        sources.append(str(override))
        last = (str(override), otext)
    elif path is not None:
        raise UserError("no such file", str(override))
    return _build(data, last, tuple(sources))


# -- parsing and checking -------------------------------------------------------------------


def _parse(text: str, where: str) -> dict:
    data = load_toml(text, where)
    _check_shape(data, text, where)
    return data


def _line(text: str, expert: str | None, key: str | None = None) -> int | None:
    """Best-effort line of ``[experts.<expert>...]`` (and ``key =`` after it) in ``text``."""
    lines = text.splitlines()
    start = 0
    if expert is not None:
        head = re.compile(r"^\s*\[\[?\s*experts\.\"?" + re.escape(expert) + r"\"?\s*[\].]")
        for i, ln in enumerate(lines):
            if head.match(ln):
                start = i
                break
        else:
            return None
    if key is None:
        return start + 1
    kre = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
    for i in range(start, len(lines)):
        if kre.match(lines[i]):
            return i + 1
    return start + 1 if expert is not None else None


def _err(msg: str, text: str, where: str, expert: str | None = None, key: str | None = None):
    line = _line(text, expert, key)
    return UserError(msg, f"{where}:{line}" if line else where)


def _check_shape(data: dict, text: str, where: str) -> None:
    """Check every field present in one file (an override may give only some)."""
    for top in data:
        if top not in ("experts", "tiers"):
            raise _err(f"unknown table '{top}' (expected 'experts' or 'tiers')", text, where)
    tiers = data.get("tiers", {})
    if not isinstance(tiers, dict):
        raise _err("'tiers' must be a table", text, where, None, "tiers")
    for tier, models in tiers.items():
        if not isinstance(models, dict):
            raise _err(f"tiers.{tier} must be a table of backend = model", text, where)
        for b, m in models.items():
            if b not in BACKENDS or not isinstance(m, str):
                raise _err(f"tiers.{tier}.{b}: expected one of {', '.join(BACKENDS)} "
                           "= \"model\"", text, where, None, b)
    experts = data.get("experts", {})
    if not isinstance(experts, dict):
        raise _err("'experts' must be a table", text, where)
    for eid, e in experts.items():
        _check_expert(eid, e, text, where)


def _check_expert(eid: str, e: Any, text: str, where: str) -> None:
    def bad(msg: str, key: str | None = None):
        return _err(f"experts.{eid}: {msg}", text, where, eid, key)

    if not _ID.match(eid):
        raise bad("an expert id is lower-case letters, digits, '-' or '_'")
    if not isinstance(e, dict):
        raise bad("must be a table")
    for k in e:
        if k not in _EXPERT_KEYS:
            raise bad(f"unknown field '{k}' (fields: {', '.join(sorted(_EXPERT_KEYS))})", k)
    for k in ("name", "description", "system_prompt"):
        if k in e and (not isinstance(e[k], str) or not e[k].strip()):
            raise bad(f"'{k}' must be a non-empty string", k)
    if "intent" in e and e["intent"] not in INTENTS:
        raise bad(f"unknown intent {e['intent']!r} (one of: {', '.join(INTENTS)})", "intent")
    if "tools" in e:
        tools = e["tools"]
        if not isinstance(tools, list) or not all(isinstance(t, str) for t in tools):
            raise bad("'tools' must be a list of strings", "tools")
        for t in tools:
            if t not in TOOLS:
                raise bad(f"unknown tool {t!r} (one of: {', '.join(TOOLS)})", "tools")
    if "sampling" in e:
        s = e["sampling"]
        if not isinstance(s, dict):
            raise bad("'sampling' must be a table", "sampling")
        for k, v in s.items():
            if k not in _SAMPLING_RANGES:
                raise bad(f"unknown sampling field '{k}' "
                          f"(fields: {', '.join(_SAMPLING_RANGES)})", k)
            typ, lo, hi = _SAMPLING_RANGES[k]
            ok_type = isinstance(v, int | float) if typ is float else isinstance(v, int)
            if isinstance(v, bool) or not ok_type or not lo <= v <= hi:
                kind = "a number" if typ is float else "an integer"
                raise bad(f"sampling.{k} must be {kind} from {lo} to {hi}, not {v!r}", k)
        if s.get("top_p", 1.0) == 0:
            raise bad("sampling.top_p must be above 0", "top_p")
    if "few_shot" in e:
        fs = e["few_shot"]
        if not isinstance(fs, list):
            raise bad("'few_shot' must be an array of {user, assistant} tables", "few_shot")
        for i, pair in enumerate(fs):
            if (not isinstance(pair, dict) or set(pair) != {"user", "assistant"}
                    or not all(isinstance(v, str) and v.strip() for v in pair.values())):
                raise bad(f"few_shot[{i}] must have exactly 'user' and 'assistant' strings",
                          "user")
    if "backends" in e:
        b = e["backends"]
        if not isinstance(b, dict):
            raise bad("'backends' must be a table", "backends")
        for k, v in b.items():
            if k not in BACKENDS:
                raise bad(f"unknown backend '{k}' (one of: {', '.join(BACKENDS)})", k)
            if not isinstance(v, str):
                raise bad(f"backends.{k} must be a string (\"\" = base model)", k)


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _sampling(table: dict[str, Any]) -> Sampling:
    """The sampling of a checked ``sampling`` table (see ``_SAMPLING_RANGES``); a field it
    leaves out keeps its default."""
    d = Sampling()
    return Sampling(
        temperature=float(table.get("temperature", d.temperature)),
        top_p=float(table.get("top_p", d.top_p)),
        top_k=table.get("top_k", d.top_k),
        num_ctx=table.get("num_ctx", d.num_ctx),
    )


def _build(data: dict, last: tuple[str, str], sources: tuple[str, ...]) -> Registry:
    where, text = last
    experts: dict[str, Expert] = {}
    for eid, e in data.get("experts", {}).items():
        for k in ("intent", "description", "system_prompt"):
            if k not in e:
                raise _err(f"experts.{eid}: missing field '{k}'", text, where, eid)
        backends = {k: (v or None) for k, v in e.get("backends", {}).items()}
        backends.setdefault("embedded", None)
        experts[eid] = Expert(
            id=eid,
            name=e.get("name", eid.capitalize()),
            intent=e["intent"],
            description=e["description"].strip(),
            system_prompt=e["system_prompt"].strip(),
            sampling=_sampling(e.get("sampling", {})),
            few_shot=tuple(FewShot(p["user"], p["assistant"]) for p in e.get("few_shot", [])),
            tools=tuple(e.get("tools", [])),
            backends=backends,
        )
    missing = [i for i in INTENTS if not any(x.intent == i for x in experts.values())]
    if missing:
        raise UserError(f"no expert for intent(s): {', '.join(missing)}", where)
    tiers = {t: dict(m) for t, m in data.get("tiers", {}).items()}
    return Registry(experts, tiers, sources)
