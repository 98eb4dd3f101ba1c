"""The idiom library: verified, commented asar routines for the tasks ROM hackers ask for.

The routines live in ``triforce/data/idioms.toml``; every one assembles on its own
after ``lorom`` / ``org $008000`` and most are run on the emulator by the tests.
When the generation expert is asked to write code, the best idiom for the question
grounds the answer (and is shown when the model's own code does not assemble)::

    from triforce.orchestra import idioms

    for idiom, score in idioms.match("DMA my tiles to VRAM"):
        print(idiom.id, score)          # dma_vram 6.1
        print(idiom.assumptions)        # entry: ...; exit: ...; banks: ...
        print(idiom.code)

``match`` scores a question by the idioms' keywords: words are lower-cased,
stemmed and stripped of filler words; phrases match when their words occur close
together in any order; register names and addresses match whichever way they are
written (``VMADD``, ``VMADDH``, ``$2117``, ``$00:2116`` and ``2116`` are all the
same register value). A keyword listed by several idioms counts less for each.
``hints`` are words that support a match but are too common to make one alone.
Only matches scoring at least :data:`MIN_SCORE` are returned, so a question no
idiom fits gets an empty list; only the first :data:`MAX_CHARS` characters are read.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path

from triforce.errors import UserError, load_toml, read_user_text

#: The lowest score ``match`` returns: one distinctive keyword, or several weaker ones.
MIN_SCORE = 1.0
#: Matches scoring below this fraction of the best one are dropped as noise.
RELATIVE_CUT = 0.35
#: Only this much of a question is read, so matching takes bounded time.
MAX_CHARS = 4096

_PACKAGED = "triforce/data/idioms.toml"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_IDIOM_KEYS = {"id", "title", "description", "keywords", "hints", "assumptions", "code"}
_REQUIRED = ("id", "title", "description", "keywords", "assumptions", "code")


@dataclass(frozen=True)
class Assumptions:
    """What a routine expects and does to the machine state (all free text)."""

    entry: str                  # register widths (M/X) and inputs at entry
    exit: str = ""              # widths and outputs on return
    banks: str = ""             # DB / D / program bank requirements
    clobbers: str = ""          # registers and hardware state changed
    timing: str = ""            # v-blank / forced blank / interrupt constraints

    def items(self) -> list[tuple[str, str]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)]

    def to_dict(self) -> dict[str, str]:
        return dict(self.items())

    def __str__(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.items())


_ASSUMPTION_KEYS = tuple(f.name for f in fields(Assumptions))


@dataclass(frozen=True)
class Idiom:
    id: str
    title: str
    description: str
    keywords: tuple[str, ...]
    assumptions: Assumptions
    code: str
    hints: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Idiom({self.id!r})"

    @property
    def labels(self) -> list[str]:
        """The global labels the code defines, in order (the first is the entry point)."""
        return _GLOBAL_LABEL.findall(self.code)

    @property
    def entry(self) -> str | None:
        labels = self.labels
        return labels[0] if labels else None

    def to_dict(self) -> dict:
        return {
            "id": self.id, "title": self.title, "description": self.description,
            "keywords": list(self.keywords), "hints": list(self.hints),
            "assumptions": self.assumptions.to_dict(), "code": self.code,
        }

    def to_markdown(self) -> str:
        """Title, description, assumptions and the code block, as the assistant shows them."""
        lines = [f"**{self.title}**", "", self.description, ""]
        lines += [f"- {k}: {v}" for k, v in self.assumptions.items()]
        lines += ["", "```asar", self.code.strip(), "```"]
        return "\n".join(lines)


_GLOBAL_LABEL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):", re.MULTILINE)


# -- loading ---------------------------------------------------------------------------------


def load_idioms(path: str | Path | None = None) -> list[Idiom]:
    """The idioms of ``path``, or the packaged library (parsed once) when None.

    A malformed file raises one UserError naming the file and line.
    """
    if path is None:
        return list(_packaged())
    p = Path(path)
    return list(_parse(read_user_text(p, "idiom file"), str(p)))


@lru_cache(maxsize=1)
def _packaged() -> tuple[Idiom, ...]:
    text = resources.files("triforce").joinpath("data/idioms.toml").read_text("utf-8")
    return _parse(text, _PACKAGED)


def _parse(text: str, where: str) -> tuple[Idiom, ...]:
    data = load_toml(text, where)
    heads = [i + 1 for i, ln in enumerate(text.splitlines()) if re.match(r"^\s*\[\[\s*idiom\s*\]\]", ln)]

    def err(msg: str, n: int | None = None, key: str | None = None) -> UserError:
        line = None
        if n is not None and n < len(heads):
            line = heads[n]
            if key is not None:
                lines = text.splitlines()
                end = heads[n + 1] - 1 if n + 1 < len(heads) else len(lines)
                kre = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*[.=]")
                for i in range(heads[n], end):
                    if kre.match(lines[i]):
                        line = i + 1
                        break
        return UserError(msg, f"{where}:{line}" if line else where)

    for top in data:
        if top != "idiom":
            raise err(f"unknown table '{top}' (expected [[idiom]] entries)")
    entries = data.get("idiom")
    if not isinstance(entries, list) or not entries:
        raise err("no [[idiom]] entries")
    out: list[Idiom] = []
    seen: dict[str, int] = {}
    for n, e in enumerate(entries):
        if not isinstance(e, dict):
            raise err("each idiom must be a [[idiom]] table", n)
        for k in e:
            if k not in _IDIOM_KEYS:
                raise err(f"unknown key '{k}' (expected {', '.join(sorted(_IDIOM_KEYS))})", n, k)
        for k in _REQUIRED:
            if k not in e:
                raise err(f"idiom is missing '{k}'", n)
        iid = e["id"]
        if not isinstance(iid, str) or not _ID.match(iid):
            raise err(f"id {iid!r} must be lower-case letters, digits and '_'", n, "id")
        if iid in seen:
            raise err(f"duplicate idiom id '{iid}'", n, "id")
        seen[iid] = n
        for k in ("title", "description", "code"):
            if not isinstance(e[k], str) or not e[k].strip():
                raise err(f"'{k}' of '{iid}' must be non-empty text", n, k)
        words: dict[str, tuple[str, ...]] = {}
        for k in ("keywords", "hints"):
            v = e.get(k, [])
            if not isinstance(v, list) or not all(isinstance(w, str) and w.strip() for w in v):
                raise err(f"'{k}' of '{iid}' must be a list of non-empty strings", n, k)
            for w in v:
                if not tokens(w):
                    raise err(f"{k[:-1]} {w!r} of '{iid}' has only filler words", n, k)
            words[k] = tuple(v)
        if not words["keywords"]:
            raise err(f"'{iid}' needs at least one keyword", n, "keywords")
        a = e["assumptions"]
        if not isinstance(a, dict):
            raise err(f"'assumptions' of '{iid}' must be a table", n, "assumptions")
        for k, v in a.items():
            if k not in _ASSUMPTION_KEYS:
                raise err(f"unknown assumption '{k}' of '{iid}' (expected "
                          f"{', '.join(_ASSUMPTION_KEYS)})", n, "assumptions")
            if not isinstance(v, str) or not v.strip():
                raise err(f"assumption '{k}' of '{iid}' must be non-empty text", n, "assumptions")
        if "entry" not in a:
            raise err(f"'{iid}' needs assumptions.entry (register widths at entry)", n, "assumptions")
        out.append(Idiom(
            id=iid, title=e["title"].strip(), description=e["description"].strip(),
            keywords=words["keywords"], hints=words["hints"],
            assumptions=Assumptions(**{k: v.strip() for k, v in a.items()}),
            code=e["code"].strip("\n") + "\n",
        ))
    return tuple(out)


def get(idiom_id: str) -> Idiom:
    """The packaged idiom with this id."""
    for i in _packaged():
        if i.id == idiom_id:
            return i
    raise UserError(f"unknown idiom '{idiom_id}' (known: {', '.join(i.id for i in _packaged())})")


# -- text normalisation ----------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<addr>(?:\$|0x)(?:[0-9a-f]{2}:)?[0-9a-f]+(?![0-9a-z]))"
    r"|(?P<word>[a-z0-9]+(?:['\u2019-][a-z0-9]+)*)"
)
_STOP = frozenset("""
a an the for to of in into onto at by with from as until till up
my me i we our you your it its this that these those there here
is are be been being was were do does did doing done can could would should will shall
may might must need needs want wants wanted please help how what which when where why who
write writing written give show make makes making get let lets like just also so then than
and or but if some any all each every one only
routine routines subroutine function code snippet asm assembly program
using use uses used via way simple quick basic example proper correct properly
snes 65816 65c816 asar alttp lttp zelda rom hack hacks hacking
""".split())
_SYNONYMS = {
    "multiplication": "multiply", "multiplier": "multiply", "multiplying": "multiply",
    "multiplies": "multiply", "multiplied": "multiply", "mult": "multiply",
    "division": "divide", "divider": "divide", "divisor": "divide",
    "decompression": "decompress", "decompressor": "decompress", "decompressing": "decompress",
    "decompressed": "decompress", "uncompress": "decompress", "compression": "compress",
    "addition": "add", "subtraction": "subtract", "comparison": "compare",
    "colour": "color", "colours": "color", "gfx": "graphics", "chr": "graphics",
    "randomly": "random", "randomness": "random", "randomize": "random", "randomise": "random",
    "zeroes": "zero", "zeros": "zero", "zeroing": "zero", "zeroed": "zero",
    "initialise": "initialize", "init": "initialize",
    "controllers": "controller", "gamepad": "joypad", "joypads": "joypad",
    "vblanks": "vblank", "setting": "set",
}
_JOIN_SECOND = frozenset({"bit", "bits", "byte", "bytes", "blank", "blanking", "dma"})


def _stem(w: str) -> str:
    w = _SYNONYMS.get(w, w)
    if len(w) <= 3 or not w.isalpha():
        return w
    return _stem_word(w)


@lru_cache(maxsize=8192)
def _stem_word(w: str) -> str:
    if w.endswith(("ies", "ied")) and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ing") and len(w) > 5:
        w = w[:-3]
    elif w.endswith("ed") and len(w) > 4:
        w = w[:-2]
    elif w.endswith("ion") and len(w) > 6:
        w = w[:-3]
    elif w.endswith("ly") and len(w) > 5:
        w = w[:-2]
    elif w.endswith(("sses", "xes", "zes", "ches", "shes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


@lru_cache(maxsize=1)
def _register_tables() -> tuple[dict[int, str], dict[str, str]]:
    """address -> canonical token, NAME -> canonical token, from the register table."""
    from triforce.snes import registers

    by_addr: dict[int, str] = {}
    by_name: dict[str, str] = {}
    for reg in registers.all_registers():
        first = reg.parts()[0]
        canon = f"$43x{first & 0xF:x}" if reg.channel is not None else f"${first:04x}"
        by_addr[reg.address] = canon
        for name in (reg.name, *reg.aliases, *reg.combined):
            if len(name) >= 4:
                by_name.setdefault(name.lower(), canon)
    return by_addr, by_name


def _address_token(text: str) -> str:
    digits = text[1:] if text.startswith("$") else text[2:]
    bank = None
    if ":" in digits:
        b, _, digits = digits.partition(":")
        bank = int(b, 16)
    elif len(digits) == 6:
        bank, digits = int(digits[:2], 16), digits[2:]
    if len(digits) == 4 and (bank is None or bank < 0x40 or 0x80 <= bank < 0xC0):
        canon = _register_tables()[0].get(int(digits, 16))
        if canon is not None:
            return canon
    return text if bank is None else f"${bank:02x}{digits}"


@lru_cache(maxsize=4096)
def _word_tokens(word: str) -> tuple[str, ...]:
    """One lower-case word (maybe hyphenated) -> its tokens."""
    by_name = _register_tables()[1]
    if "'" in word or "\u2019" in word:
        word = re.split(r"['\u2019]", word)[0]
    parts = word.split("-")
    if len(parts) == 2 and (len(parts[0]) == 1 or parts[1] in _JOIN_SECOND):
        parts = [parts[0] + parts[1]]                   # v-blank, h-dma, 16-bit
    out: list[str] = []
    for p in parts:
        if not p or p in _STOP:
            continue
        if p in by_name:
            out.append(by_name[p])
        elif len(p) == 4 and p[0] in "24" and all(c in "0123456789abcdef" for c in p) \
                and int(p, 16) in _register_tables()[0]:
            out.append(_register_tables()[0][int(p, 16)])  # "4210" written without the $
        else:
            out.append(_stem(p))
    return tuple(out)


def tokens(text: str) -> list[str]:
    """The normalised tokens of ``text`` (as matched against the keywords)."""
    out: list[str] = []
    for m in _TOKEN.finditer(text.lower()):
        if m.group("addr"):
            out.append(_address_token(m.group("addr")))
            continue
        for t in _word_tokens(m.group("word")):
            # "16 bit" -> "16bit", "v blank" -> "vblank"
            if out and t in ("bit", "blank") and (out[-1].isdigit() or out[-1] in ("v", "h")):
                out[-1] = out[-1] + t
            else:
                out.append(t)
    return out


# -- matching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    idiom: int
    toks: tuple[str, ...]
    weight: float


class IdiomMatcher:
    """Scores questions against a list of idioms (built once; ``match`` is cheap)."""

    def __init__(self, idioms: list[Idiom] | tuple[Idiom, ...]) -> None:
        self.idioms = tuple(idioms)
        raw: list[tuple[int, tuple[str, ...], float]] = []
        df: dict[tuple[str, ...], int] = defaultdict(int)
        for i, idiom in enumerate(self.idioms):
            best: dict[tuple[str, ...], float] = {}
            for kw in idiom.keywords:
                toks = tuple(tokens(kw))
                best[toks] = max(best.get(toks, 0.0), _base_weight(toks))
            for h in idiom.hints:
                toks = tuple(tokens(h))
                best.setdefault(toks, 0.4)
            for toks, w in best.items():
                df[toks] += 1
                raw.append((i, toks, w))
        self._by_first: dict[str, list[_Key]] = defaultdict(list)
        for i, toks, w in raw:
            self._by_first[toks[0]].append(_Key(i, toks, w / math.sqrt(df[toks])))

    def scores(self, question: str) -> dict[int, float]:
        """Raw score of every idiom with any keyword hit (index -> score)."""
        toks = tokens(question[:MAX_CHARS])
        pos: dict[str, list[int]] = defaultdict(list)
        for n, t in enumerate(toks):
            pos[t].append(n)
        out: dict[int, float] = defaultdict(float)
        for t in pos:
            for key in self._by_first.get(t, ()):
                if len(key.toks) == 1 or _near(key.toks, pos):
                    out[key.idiom] += key.weight
        return out

    def match(self, question: str, limit: int = 3) -> list[tuple[Idiom, float]]:
        """The best idioms for ``question`` with their scores, best first; [] when none fits."""
        scored = sorted(self.scores(question).items(), key=lambda kv: (-kv[1], kv[0]))
        if not scored or scored[0][1] < MIN_SCORE:
            return []
        floor = max(MIN_SCORE, scored[0][1] * RELATIVE_CUT)
        return [(self.idioms[i], round(s, 3)) for i, s in scored[:max(limit, 0)] if s >= floor]


def _base_weight(toks: tuple[str, ...]) -> float:
    if len(toks) == 1:
        return 1.2 if toks[0].startswith("$") else 1.0
    return 1.0 + 0.5 * min(len(toks) - 1, 2)


def _near(toks: tuple[str, ...], pos: dict[str, list[int]]) -> bool:
    """Do all of ``toks`` occur within a small window (any order)?"""
    rest = toks[1:]
    if any(t not in pos for t in rest):
        return False
    span = len(toks) + 1
    for p in pos[toks[0]]:
        if all(any(abs(q - p) <= span for q in pos[t]) for t in rest):
            return True
    return False


@lru_cache(maxsize=1)
def default_matcher() -> IdiomMatcher:
    return IdiomMatcher(_packaged())


def match(question: str, limit: int = 3) -> list[tuple[Idiom, float]]:
    """The packaged idioms that fit ``question``, best first, with their scores.

    Only confident matches (score >= :data:`MIN_SCORE`) are returned: an
    unrelated question gives ``[]``.
    """
    return default_matcher().match(question, limit)


__all__ = ["MAX_CHARS", "MIN_SCORE", "Assumptions", "Idiom", "IdiomMatcher", "default_matcher", "get",
           "load_idioms", "match", "tokens"]
