"""Code in questions and answers: find it, and check that it assembles.

A question carries code in a fenced block, in lines that read as 65816 code, or
inline after the prose ("optimize: lda #$00 : sta $10"). An answer's code is its
fenced blocks. Snippets are assembled as they are; when the only errors are
labels the snippet calls but does not define (routines of the user's project),
they are defined as stand-ins and the check says which.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from triforce.asm import NO_FILES, Sandbox, assemble
from triforce.isa import MNEMONICS

_FENCE = re.compile(r"```[ \t]*([\w.+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
_MNEMONICS = frozenset(m.upper() for m in MNEMONICS)
_LABEL = r"(?:[A-Za-z_][\w]*(?:\.[\w]+)*:|\.[\w.]+:?|[+-]+)"
_DIRECTIVE = re.compile(
    r"^(?:org|db|dw|dl|dd|incsrc|incbin|freecode|freedata|freespace|pushpc|pullpc|lorom|hirom|"
    r"sa1rom|exlorom|exhirom|autoclean|warnpc|namespace|macro|endmacro|if|else|endif|while|"
    r"endwhile|arch|base|bank|print|assert|table|cleartable|padbyte|pad|fillbyte|fill|skip)\b",
    re.IGNORECASE)
_DEFINE = re.compile(r"^(?:!\w+\s*[:#?+]?=|[A-Za-z_]\w*\s*=\s*\S|%\w+\()")
_INSN = re.compile(r"^([A-Za-z]{3})(?:\.[bwlBWL])?(?:\s|$)")
_INLINE = re.compile(r"(?<![\w$#])([A-Za-z]{3})(?:\.[bwlBWL])?\s+(?=[#$(\[%!A-Za-z_.]|\d)"
                     r"|(?<![\w$#])([A-Za-z]{3})(?=\s*(?::|$))")
_SLASH_SEP = re.compile(r"\s/\s(?=[A-Za-z]{3}(?:\.[bwlBWL])?(?:\s|$))")
_LABEL_NOT_FOUND = re.compile(r"label '([^']+)' wasn't found")
ASM_LANGS = {"", "asm", "asar", "65816", "65c816", "snes", "s", "nasm", "x86asm", "assembly",
             "wla", "ca65", "spc700", "code"}


def _statement_is_code(stmt: str) -> bool:
    s = stmt.strip()
    if not s:
        return False
    s = re.sub(r"^" + _LABEL + r"\s*", "", s)
    if not s or s.startswith(";"):
        return True
    s = s.split(";", 1)[0].strip()
    if not s:
        return True
    m = _INSN.match(s)
    if m and m.group(1).upper() in _MNEMONICS:
        rest = s[m.end():].strip()
        # "and the", "bit of", ... in prose: an operand must look like one
        return not rest or bool(re.match(r"^[#$(\[%!.+\-]|^[A-Za-z_][\w.]*(?:[,+\-)]|$)|^\d",
                                         rest)) and not re.match(r"^[a-z]+\s+[a-z]+", rest)
    return bool(_DIRECTIVE.match(s) or _DEFINE.match(s))


def line_is_code(line: str) -> bool:
    """True when every ``:``-separated statement of ``line`` reads as asar code."""
    text = line.strip()
    if not text:
        return False
    if re.fullmatch(_LABEL, text):
        return True
    parts = re.split(r"\s:\s", text)
    return all(_statement_is_code(p) for p in parts)


def find_code(question: str) -> tuple[str, str]:
    """Split a question into its prose and its code ("" when there is none)."""
    blocks = [(m.group(1).lower(), m.group(2)) for m in _FENCE.finditer(question)]
    code_blocks = [b for lang, b in blocks if lang in ASM_LANGS]
    if code_blocks:
        prose = _FENCE.sub(" ", question).strip()
        return prose, "\n".join(b.strip("\n") for b in code_blocks).strip("\n")
    lines = question.splitlines()
    code_idx = [i for i, ln in enumerate(lines) if line_is_code(ln)]
    insn_lines = [i for i in code_idx if _has_instruction(lines[i])]
    if insn_lines:
        first, last = code_idx[0], code_idx[-1]
        # keep blank lines inside the code, drop prose lines around it
        code = [ln for i, ln in enumerate(lines[first:last + 1], first)
                if i in code_idx or not ln.strip() or ln.lstrip().startswith(";")]
        prose = "\n".join(ln for i, ln in enumerate(lines)
                          if not (first <= i <= last and (i in code_idx or not ln.strip())))
        return prose.strip(), "\n".join(code).strip("\n")
    # inline: prose then code on one line ("optimize this: lda #$00 : sta $10")
    for i, ln in enumerate(lines):
        for m in _INLINE.finditer(ln):
            word = (m.group(1) or m.group(2)).upper()
            if word not in _MNEMONICS:
                continue
            tail = _SLASH_SEP.sub(" : ", ln[m.start():].strip().rstrip(".?!"))
            if line_is_code(tail) and (_has_instruction(tail)):
                prose = "\n".join(lines[:i] + [ln[:m.start()].rstrip(" :")] + lines[i + 1:])
                stmts = [s.strip() for s in re.split(r"\s:\s", tail)]
                return prose.strip(), "\n".join(stmts)
    return question.strip(), ""


def _has_instruction(line: str) -> bool:
    for part in re.split(r"\s:\s", line.strip()):
        s = re.sub(r"^" + _LABEL + r"\s*", "", part.strip())
        m = _INSN.match(s)
        if m and m.group(1).upper() in _MNEMONICS:
            return True
    return False


def _is_directive(line: str) -> bool:
    s = re.sub(r"^" + _LABEL + r"\s*", "", line.strip()).split(";", 1)[0].strip()
    return bool(s) and bool(_DIRECTIVE.match(s) or _DEFINE.match(s))


def answer_blocks(text: str) -> list[str]:
    """The code blocks of a model's answer (fenced, in an assembly language or none)."""
    out = []
    for m in _FENCE.finditer(text):
        lang, body = m.group(1).lower(), m.group(2).strip("\n")
        if lang in ASM_LANGS and any(_has_instruction(ln) or _is_directive(ln)
                                     for ln in body.splitlines() if line_is_code(ln)):
            out.append(body)
    return out


def drop_blocks(text: str, keep,
                note: str = "a code block was removed here: it does not assemble") -> str:
    """``text`` with every code block for which ``keep(body)`` is false replaced by a note."""
    def repl(m: re.Match) -> str:
        lang, body = m.group(1).lower(), m.group(2).strip("\n")
        if lang not in ASM_LANGS or not body.strip() or keep(body):
            return m.group(0)
        return f"[{note}]\n"
    return _FENCE.sub(repl, text)


@dataclass
class AsmCheck:
    """Whether a snippet assembles, and what that took."""

    ok: bool
    error: str | None = None
    #: labels the snippet uses but does not define, given stand-in addresses
    stubs: list[str] = field(default_factory=list)
    bytes: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"assembles": self.ok, "error": self.error, "external_labels": self.stubs,
                "bytes": self.bytes, "warnings": self.warnings}

    def summary(self) -> str:
        if not self.ok:
            return f"does not assemble: {self.error}"
        ext = f" (external labels stood in: {', '.join(self.stubs)})" if self.stubs else ""
        return f"assembles, {self.bytes} bytes{ext}"


def stub_prefix(names: list[str]) -> str:
    """asar lines that define ``names`` as stand-in labels in bank $00 ROM space."""
    return "".join(f"{n} = ${0xF000 + 4 * i:06X}\n" for i, n in enumerate(names))


def check_assembles(code: str, *, max_stubs: int = 32, include_paths=(),
                    sandbox: Sandbox = NO_FILES) -> AsmCheck:
    """Assemble ``code`` on a blank LoROM image; stand in for labels it calls from outside.
    ``include_paths``: where its ``incsrc``/``incbin`` look; ``sandbox``: where it may read
    files (by default nowhere: code from a question or a model)."""
    inc = tuple(include_paths)
    res = assemble(code, fix_checksum=False, filename="snippet.asm", include_paths=inc,
                   sandbox=sandbox)
    stubs: list[str] = []
    if not res.ok:
        missing = []
        for d in res.errors:
            m = _LABEL_NOT_FOUND.search(d.message)
            if not m:
                break
            name = m.group(1)
            if name.startswith((".", "+", "-")) or "." in name:
                break
            if name not in missing:
                missing.append(name)
        else:
            if missing and len(missing) <= max_stubs:
                res2 = assemble(stub_prefix(missing) + code, fix_checksum=False,
                                filename="snippet.asm", include_paths=inc, sandbox=sandbox)
                if res2.ok:
                    res, stubs = res2, missing
    if not res.ok:
        first = res.errors[0]
        line = f"line {first.line}: " if first.line else ""
        if stubs and first.line:
            line = f"line {first.line - len(stubs)}: "
        return AsmCheck(False, f"{line}{first.message}")
    size = sum(n for _, n in (res.written or []))
    warns = [f"{d.id}: {d.message}" for d in res.diagnostics
             if d.severity == "warning" and d.id != "Wmissing_org"]
    return AsmCheck(True, None, stubs, size, warns)


class CodeGate:
    """A model's words as they stream, with each code block held back until it is whole
    and checked: a block that assembles (or holds no code) passes as written, one that
    does not is replaced by a note. Streaming so shows no code the finished answer would
    remove. ``feed`` returns the text to show now; ``flush`` the rest at the end."""

    def __init__(self, check: Callable[[str], AsmCheck] | None = None) -> None:
        self.check = check or check_assembles   # e.g. a ToolBox's (in its worker pool)
        self.line = ""          # the current line, not yet ended
        self.shown = 0          # characters of it already passed on
        self.block: list[str] | None = None   # lines of an open fence (opening line first)

    def feed(self, piece: str) -> str:
        out: list[str] = []
        for part in re.split(r"(\n)", piece):
            if part == "\n":
                out.append(self._end_line())
            elif part:
                self.line += part
                if self.block is None and not self.line.lstrip().startswith("`"):
                    out.append(self.line[self.shown:])
                    self.shown = len(self.line)
        return "".join(out)

    def flush(self) -> str:
        out = ""
        if self.line:
            out = self._end_line(newline=False)
        if self.block is not None:         # a fence the reply never closed
            out += self._close(closed=False)
        return out

    def _end_line(self, newline: bool = True) -> str:
        line, shown = self.line, self.shown
        self.line, self.shown = "", 0
        end = "\n" if newline else ""
        if self.block is None:
            if line.strip().startswith("```"):
                self.block = [line]
                return ""
            return line[shown:] + end
        if line.strip().startswith("```"):
            self.block.append(line)
            return self._close(closed=True) + end
        self.block.append(line)
        return ""

    def _close(self, closed: bool) -> str:
        lines, self.block = self.block or [], None
        text = "\n".join(lines) + ("" if closed else "\n")
        blocks = answer_blocks(text if closed else text + "```")
        if not blocks:
            return text
        chk = self.check(blocks[0])
        if chk.ok:
            return text
        return f"[a code block was removed here: it does not assemble ({chk.error})]"
