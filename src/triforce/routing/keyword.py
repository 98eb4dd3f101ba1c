"""The keyword router: weighted patterns and 65816 code features, calibrated.

The tables live in ``triforce/data/routing.toml`` and the per-intent Platt
calibration in ``triforce/data/routing_calibration.json`` (written by
:func:`triforce.routing.evaluate.calibrate`)::

    from triforce.routing import KeywordRouter

    router = KeywordRouter.load()
    d = router.route("optimize this and explain what changed")
    [s.expert for s in d.plan]      # ['din', 'veran']
    d.scores["optimization"]        # calibrated probability in [0, 1]

Only the first ``max_prose_chars`` of prose and ``max_code_chars`` of text reach
the regular expressions, so a question of any size routes in bounded time.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from triforce.errors import UserError, load_toml
from triforce.isa import MNEMONICS
from triforce.snes import registers

GENERAL = "general"
FEATURE_NAMES = ("code", "code_only", "code_block", "hw_register", "register_no_code", "address")

# A line of 65816 code: optional label, mnemonic (with .b/.w/.l), one operand, comment.
_CODE_LINE = re.compile(
    r"^\s*(?:(?P<label>[A-Za-z_.][\w.]*:)\s*)?"
    r"(?:(?P<mn>[A-Za-z]{3})(?:\.[bwlBWL])?"
    r"(?:\s+(?P<op>[^\s;,]+(?:\s*,\s*[xysXYS])?(?:\s*,\s*[^\s;]+)?))?)?"
    r"\s*(?P<comment>;.*)?$"
)
# asar directives and defines: also code.
_DIRECTIVE_LINE = re.compile(
    r"^\s*(?:(?:org|db|dw|dl|dd|incsrc|incbin|freecode|freedata|freespace|pushpc|pullpc|lorom|"
    r"hirom|sa1rom|exlorom|exhirom|autoclean|warnpc|namespace|endmacro|macro)\b(?:\s+[$%!\d\"'\w#(].*)?"
    r"|!\w+\s*=.*|%\w+\(.*\)\s*(?:;.*)?)$",
    re.IGNORECASE,
)
_INLINE_INSN = re.compile(r"\b([A-Z]{3})(?:\.[BWL])?\s+(?=[#$(\[])")
_ADDRESS = re.compile(r"\$(?:([0-9A-Fa-f]{2}):?([0-9A-Fa-f]{4})|([0-9A-Fa-f]{4})|([0-9A-Fa-f]{2}))(?![0-9A-Fa-f])"
                      r"|\b0x([0-9A-Fa-f]{4,6})\b")
_IMMEDIATE = re.compile(r"#(?:\$[0-9A-Fa-f]+|%[01]+|![\w]+|\d+|[A-Za-z_.][\w.]*|\()")
_WORD = re.compile(r"[A-Za-z0-9_]+")
_UPPER_TOKEN = re.compile(r"\b[A-Z][A-Z0-9]{3,}\b")


@dataclass(frozen=True)
class Step:
    """One step of a plan: which expert answers, for which intent, how sure we are."""

    expert: str
    intent: str
    confidence: float

    def to_dict(self) -> dict:
        return {"expert": self.expert, "intent": self.intent,
                "confidence": round(self.confidence, 4)}


@dataclass(frozen=True)
class Features:
    """What the code detector found in a question."""

    code_lines: int = 0
    inline_instructions: int = 0
    mnemonics: tuple[str, ...] = ()
    labels: int = 0
    immediates: int = 0
    addresses: tuple[int, ...] = ()
    registers: tuple[str, ...] = ()      # register names, in order of first mention
    prose_words: int = 0
    truncated: bool = False

    @property
    def has_code(self) -> bool:
        return self.code_lines > 0 or self.inline_instructions > 0

    def flags(self) -> dict[str, float]:
        """The 0/1 features the tables weigh (``FEATURE_NAMES``)."""
        return {
            "code": float(self.has_code),
            "code_only": float(self.has_code and self.prose_words <= 1),
            "code_block": float(self.code_lines >= 3),
            "hw_register": float(bool(self.registers)),
            "register_no_code": float(bool(self.registers) and not self.has_code),
            "address": float(bool(self.addresses)),
        }

    def to_dict(self) -> dict:
        return {
            "has_code": self.has_code,
            "code_lines": self.code_lines,
            "inline_instructions": self.inline_instructions,
            "mnemonics": list(self.mnemonics),
            "labels": self.labels,
            "immediates": self.immediates,
            "addresses": [f"${a:06X}" if a > 0xFFFF else f"${a:04X}" for a in self.addresses],
            "registers": list(self.registers),
            "prose_words": self.prose_words,
            "truncated": self.truncated,
        }


@dataclass(frozen=True)
class Decision:
    """The router's answer: calibrated ``scores`` per intent and an ordered ``plan``."""

    scores: dict[str, float]
    plan: list[Step]
    features: Features
    raw: dict[str, float] = field(default_factory=dict)
    matched: dict[str, list[str]] = field(default_factory=dict)
    router: str = "keyword"
    #: the calibrated scores of the routers a hybrid combined, by router ("keyword", ...)
    components: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def fallback(self) -> bool:
        return self.plan[0].intent == GENERAL

    @property
    def intents(self) -> list[str]:
        return [s.intent for s in self.plan]

    def to_dict(self, *, verbose: bool = False) -> dict:
        out = {"plan": [s.to_dict() for s in self.plan],
               "scores": {k: round(v, 4) for k, v in self.scores.items()}}
        if verbose:
            out["router"] = self.router
            out["raw"] = {k: round(v, 4) for k, v in self.raw.items()}
            out["features"] = self.features.to_dict()
            out["matched"] = self.matched
            if self.components:
                out["components"] = {name: {k: round(v, 4) for k, v in c.items()}
                                     for name, c in self.components.items()}
        return out


@dataclass(frozen=True)
class _Intent:
    name: str
    expert: str
    threshold: float
    patterns: tuple[tuple[re.Pattern, float, str], ...]


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@lru_cache(maxsize=1)
def _register_names() -> frozenset[str]:
    names = set()
    for reg in registers.all_registers():
        names.add(reg.name.upper())
        names.update(a.upper() for a in reg.aliases)
    return frozenset(n for n in names if len(n) >= 4)


def _is_code_line(m: re.Match) -> bool:
    mn = m.group("mn")
    if mn is None:
        return False
    if mn.upper() not in MNEMONICS:
        return False
    op = m.group("op")
    if op is None or mn.isupper() or m.group("label"):
        return True
    if op[0] in "#$([%!.+-<>^":
        return True
    # lower-case mnemonic with a word operand: code only if the word looks like a label
    return any(c in op for c in "_.0123456789") or any(c.isupper() for c in op)


def extract(text: str, max_code_chars: int = 65536) -> tuple[Features, str]:
    """Split ``text`` into code features and prose (comments of code lines included)."""
    truncated = len(text) > max_code_chars
    scan = text[:max_code_chars]
    prose_parts: list[str] = []
    code_lines = labels = 0
    mnemonics: dict[str, None] = {}
    for line in scan.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        m = _CODE_LINE.match(line)
        if m and _is_code_line(m):
            code_lines += 1
            mnemonics[m.group("mn").upper()] = None
            if m.group("label"):
                labels += 1
            if m.group("comment"):
                prose_parts.append(m.group("comment").lstrip(";"))
            continue
        if m and m.group("label") and not m.group("mn"):
            labels += 1                             # "Main:" alone, maybe with a comment
            if m.group("comment"):
                prose_parts.append(m.group("comment").lstrip(";"))
            continue
        if _DIRECTIVE_LINE.match(line):
            code_lines += 1
            continue
        if stripped.startswith(";"):
            prose_parts.append(stripped.lstrip(";"))
            continue
        prose_parts.append(line)
    prose = "\n".join(prose_parts)
    inline = 0
    for m in _INLINE_INSN.finditer(prose):
        if m.group(1) in MNEMONICS:
            inline += 1
            mnemonics[m.group(1)] = None
    addresses: dict[int, None] = {}
    regs: dict[str, None] = {}
    for m in _ADDRESS.finditer(scan):
        bank, off, w16, w8, hx = m.groups()
        if bank is not None:
            addr = int(bank + off, 16)
        elif w16 is not None:
            addr = int(w16, 16)
        elif hx is not None:
            addr = int(hx, 16)
        else:
            addr = int(w8, 16)
        addresses[addr] = None
        if w8 is None:
            reg = registers.by_address(addr)
            if reg is not None:
                regs[reg.name] = None
        if len(addresses) >= 256:
            break
    names = _register_names()
    for m in _UPPER_TOKEN.finditer(prose[:max_code_chars]):
        if m.group(0) in names:
            regs[m.group(0)] = None
    feats = Features(
        code_lines=code_lines,
        inline_instructions=inline,
        mnemonics=tuple(mnemonics),
        labels=labels,
        immediates=len(_IMMEDIATE.findall(scan)),
        addresses=tuple(addresses),
        registers=tuple(regs),
        prose_words=len(_WORD.findall(_INLINE_INSN.sub(" ", prose[:4096]))),
        truncated=truncated,
    )
    return feats, prose


class KeywordRouter:
    """Routes a question by the tables of ``routing.toml``; see the module docstring."""

    def __init__(self, config: dict, calibration: dict | None = None) -> None:
        settings = config.get("settings", {})
        self.max_prose_chars = int(settings.get("max_prose_chars", 4096))
        self.max_code_chars = int(settings.get("max_code_chars", 65536))
        self.max_steps = int(settings.get("max_steps", 2))
        self.second_step_threshold = float(settings.get("second_step_threshold", 0.5))
        self.fallback_expert = str(settings.get("fallback_expert", "base"))
        self.features_table: dict[str, dict[str, float]] = {
            name: {k: float(v) for k, v in weights.items()}
            for name, weights in config.get("features", {}).items()
        }
        unknown = set(self.features_table) - set(FEATURE_NAMES)
        if unknown:
            raise UserError(f"routing table: unknown feature(s) {sorted(unknown)}")
        intents = []
        for name, entry in config.get("intents", {}).items():
            pats = []
            for i, p in enumerate(entry.get("patterns", [])):
                try:
                    pats.append((re.compile(p["re"], re.IGNORECASE), float(p["w"]), p["re"]))
                except (re.error, KeyError, TypeError, ValueError) as exc:
                    raise UserError(f"routing table: intent {name} pattern {i + 1}: {exc}") from None
            intents.append(_Intent(name, str(entry.get("expert", name)),
                                   float(entry.get("threshold", 0.5)), tuple(pats)))
        if not any(i.name == GENERAL for i in intents):
            intents.append(_Intent(GENERAL, self.fallback_expert, 0.5, ()))
        self.intents: tuple[_Intent, ...] = tuple(intents)
        self.experts = {i.name: i.expert for i in self.intents}
        self.calibration: dict[str, dict[str, float]] = {}
        self.set_calibration(calibration or {})

    # -- construction ---------------------------------------------------------------
    @classmethod
    def load(cls, table: str | Path | None = None,
             calibration: str | Path | dict | None = None) -> KeywordRouter:
        """The router of the package's tables (or of ``table``), with its calibration."""
        if table is None:
            config = tomllib.loads(resources.files("triforce").joinpath("data", "routing.toml")
                                   .read_text(encoding="utf-8"))
        else:
            path = Path(table)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise UserError(f"cannot read routing table: {exc.strerror}", str(path)) from None
            config = load_toml(text, str(path))
        if isinstance(calibration, dict):
            cal = calibration
        elif calibration is not None:
            cal = json.loads(Path(calibration).read_text(encoding="utf-8"))
        else:
            res = resources.files("triforce").joinpath("data", "routing_calibration.json")
            cal = json.loads(res.read_text(encoding="utf-8")) if res.is_file() else {}
        return cls(config, cal)

    def set_calibration(self, calibration: dict) -> None:
        """Use ``{intent: {"a": slope, "b": intercept}}``; intents missing get a default."""
        params = calibration.get("intents", calibration)
        self.calibration = {}
        for intent in self.intents:
            p = params.get(intent.name) if isinstance(params, dict) else None
            if isinstance(p, dict) and "a" in p and "b" in p:
                a, b = float(p["a"]), float(p["b"])
            else:
                a, b = 2.5, -2.5        # uncalibrated: raw 1.0 -> 0.5
            self.calibration[intent.name] = {"a": max(a, 1e-6), "b": b}

    def confidence(self, intent: str, raw: float) -> float:
        """The calibrated probability of ``intent`` at raw score ``raw`` (monotone in raw)."""
        c = self.calibration[intent]
        return _sigmoid(c["a"] * raw + c["b"])

    # -- scoring --------------------------------------------------------------------
    def raw_scores(self, text: str) -> tuple[dict[str, float], dict[str, int], Features,
                                              dict[str, list[str]]]:
        """Raw scores, first-match positions, features and the patterns that matched."""
        if not text or not text.strip():
            raise UserError("empty question")
        feats, prose = extract(text, self.max_code_chars)
        seen = prose[: self.max_prose_chars].lower()
        flags = feats.flags()
        raw: dict[str, float] = {}
        first: dict[str, int] = {}
        matched: dict[str, list[str]] = {}
        for intent in self.intents:
            score = 0.0
            pos = None
            hits = []
            for rx, w, src in intent.patterns:
                m = rx.search(seen)
                if m is None:
                    continue
                score += w
                hits.append(src)
                if w > 0 and (pos is None or m.start() < pos):
                    pos = m.start()
            for fname, value in flags.items():
                if value:
                    score += value * self.features_table.get(fname, {}).get(intent.name, 0.0)
            raw[intent.name] = score
            if pos is not None:
                first[intent.name] = pos
            if hits:
                matched[intent.name] = hits
        return raw, first, feats, matched

    def route(self, text: str) -> Decision:
        """Score ``text`` and plan: one or two expert steps, or the general fallback."""
        raw, first, feats, matched = self.raw_scores(text)
        scores = {name: self.confidence(name, r) for name, r in raw.items()}
        plan = plan_steps(scores, first, self.plan_settings())
        return Decision(scores, plan, feats, raw, matched)

    def fingerprint(self) -> str:
        """A short hash of the tables (patterns, weights, features): a head stacked on this
        router's raw scores is stale when the tables it was trained with differ."""
        import hashlib

        spec = [(i.name, i.expert, [(src, w) for _, w, src in i.patterns]) for i in self.intents]
        blob = json.dumps([spec, self.features_table], sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]

    def plan_settings(self) -> PlanSettings:
        """The thresholds and experts this router plans with."""
        return PlanSettings(
            experts=dict(self.experts),
            thresholds={i.name: i.threshold for i in self.intents},
            max_steps=self.max_steps,
            second_step_threshold=self.second_step_threshold,
        )


@dataclass(frozen=True)
class PlanSettings:
    """How calibrated scores become a plan (see :func:`plan_steps`)."""

    experts: dict[str, str]                 # intent -> expert
    thresholds: dict[str, float]            # intent -> confidence needed to be planned
    max_steps: int = 2
    second_step_threshold: float = 0.5


def plan_steps(scores: dict[str, float], first: dict[str, int],
               settings: PlanSettings) -> list[Step]:
    """The plan for calibrated ``scores``; ``first`` is where each intent's words first appear.

    The best intent that passes its threshold is planned, unless the general intent
    passes its own and scores higher (then the general fallback answers alone). A second
    intent joins when it passes, scores at least ``second_step_threshold`` and has words
    of its own in the question (a position in ``first``, not just code features). The
    steps run in the order the question asks for them, by ``first``.
    """
    passing = sorted(
        (n for n in scores if n != GENERAL and scores[n] >= settings.thresholds.get(n, 0.5)),
        key=lambda n: (-scores[n], n),
    )
    general = scores.get(GENERAL, 0.0)
    general_passes = general >= settings.thresholds.get(GENERAL, 0.5)
    if not passing or (general_passes and general > scores[passing[0]]):
        best_other = max((v for n, v in scores.items() if n != GENERAL), default=0.0)
        conf = max(general, 1.0 - best_other)
        return [Step(settings.experts[GENERAL], GENERAL, conf)]
    chosen = [passing[0]]
    for name in passing[1:]:
        if len(chosen) >= settings.max_steps:
            break
        # a later step is a strong intent with words of its own, not just code
        if name in first and scores[name] >= settings.second_step_threshold:
            chosen.append(name)
    never = max(first.values(), default=0) + 1
    chosen.sort(key=lambda n: (first.get(n, never), -scores[n]))
    return [Step(settings.experts[n], n, scores[n]) for n in chosen]
