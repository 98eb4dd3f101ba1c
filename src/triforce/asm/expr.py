"""Expressions in asar's dialect: tokenizer, parser and evaluator.

An expression is parsed once into a small tree (tuples) and evaluated as often as
needed (every pass). Operator precedence follows asar: left to right like xkas
unless ``math pri on``, where the usual C-like precedence applies.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from triforce.errors import UserError


class AsmError(UserError):
    """An error in the source being assembled; ``id`` is asar's error id."""

    def __init__(self, message: str, id: str = "Egeneric", location: str | None = None):
        self.id = id
        super().__init__(message, location)


# ---- tokens ------------------------------------------------------------------------
# kinds: num (value, digits-or-None), name, op, str, lpar, rpar, comma, anon (+/- label)

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<badhex>\$[0-9A-Fa-f]*[G-Zg-z_][0-9A-Za-z_]*|\$(?![0-9A-Fa-f]))
  | (?P<hex>\$[0-9A-Fa-f]+)
  | (?P<chex>0[xX][0-9A-Fa-f]+)
  | (?P<bin>%[01]+)
  | (?P<dec>[0-9]+(?:\.[0-9]+)?)
  | (?P<char>'(?:[^'\\]|\\.)')
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<op><<|>>|\*\*|==|!=|<=|>=|&&|\|\||<:|[-+*/%&|^~<>!=])
  | (?P<name>[A-Za-z_.?][A-Za-z0-9_.?]*)
  | (?P<lpar>\()
  | (?P<rpar>\))
  | (?P<comma>,)
  | (?P<lbr>\[)
  | (?P<rbr>\])
  | (?P<colon>:)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str
    text: str
    value: int | float = 0


def tokenize(text: str) -> list[Tok]:
    out: list[Tok] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _TOKEN_RE.match(text, pos)
        if m and m.lastgroup == "bin" and out and out[-1].kind in ("num", "name", "rpar", "rbr", "char"):
            out.append(Tok("op", "%"))
            pos += 1
            continue
        if not m:
            raise AsmError(f"unexpected character '{text[pos]}' in expression", "Einvalid_character")
        kind = m.lastgroup
        assert kind is not None  # every alternative of _TOKEN_RE is a named group
        s = m.group()
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "badhex":
            raise AsmError(f"invalid hex value '{s}'", "Einvalid_hex_value")
        if kind == "chex":
            raise AsmError(f"unknown operator in '{s}' (write hex as ${s[2:]})", "Eunknown_operator")
        if kind == "hex":
            out.append(Tok("num", s, bounded(int(s[1:], 16))))
        elif kind == "bin":
            out.append(Tok("num", s, bounded(int(s[1:], 2))))
        elif kind == "dec":
            if "." in s or len(s) > _MAX_DIGITS:
                out.append(Tok("num", s, float(s)))   # past 308 digits: inf, as a double
            else:
                out.append(Tok("num", s, int(s)))
        else:
            out.append(Tok(kind, s))
    return out


# ---- parse trees ---------------------------------------------------------------------
# ("num", value, text) ("label", name) ("char", ch) ("str", text)
# ("un", op, x) ("bin", op, a, b) ("call", name, [args])

_PRI = {
    "**": 7,
    "*": 6, "/": 6, "%": 6,
    "+": 5, "-": 5,
    "<<": 4, ">>": 4,
    "&": 3, "|": 3, "^": 3,
    "<": 2, ">": 2, "<=": 2, ">=": 2, "==": 2, "!=": 2,
    "&&": 1, "||": 1,
}


_COMPARE = {"<", ">", "<=", ">=", "==", "!=", "&&", "||"}


MAX_DEPTH = 256  # deeper nesting (parentheses, operators, calls) is an error, not a crash


def _too_deep() -> AsmError:
    return AsmError(f"expression nested more than {MAX_DEPTH} deep", "Emalformed_expression")


def tree_depth(node) -> int:
    """How deep a parse tree is (without recursion: the tree may be a long chain)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        nd, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(nd, tuple):
            for part in nd[1:]:
                if isinstance(part, tuple):
                    stack.append((part, d + 1))
                elif isinstance(part, list):  # a call's arguments
                    stack += [(arg, d + 1) for arg in part]
    return deepest


class Parser:
    def __init__(self, toks: list[Tok], pri: bool, cond: bool = False) -> None:
        self.toks = toks
        self.i = 0
        self.pri = pri
        self.cond = cond
        self.level = 0

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def parse(self):
        node = self.expr(0)
        if self.i != len(self.toks):
            if self.toks[self.i].kind == "rpar":
                raise AsmError("mismatched parentheses", "Emismatched_parentheses")
            raise AsmError(f"unexpected '{self.toks[self.i].text}' in expression", "Emalformed_expression")
        return node

    def expr(self, min_pri: int):
        left = self.unary()
        while True:
            t = self.peek()
            if t is None or t.kind != "op" or t.text not in _PRI:
                return left
            p = _PRI[t.text]
            if t.text in _COMPARE and not self.cond:
                raise AsmError(f"unknown operator '{t.text}' (comparisons belong in if, while "
                               "and assert)", "Eunknown_operator")
            if self.pri:
                if p < min_pri:
                    return left
                self.take()
                right = self.expr(p + 1 if t.text != "**" else p)
            else:
                self.take()
                right = self.unary()
            left = ("bin", t.text, left, right)

    def unary(self):
        t = self.peek()
        if t is None:
            raise AsmError("expression ends too early", "Emalformed_expression")
        self.level += 1
        if self.level > MAX_DEPTH:
            raise _too_deep()
        try:
            if t.kind == "op" and t.text in ("-", "~", "!", "+", "<", ">", "^", "<:"):
                self.take()
                return ("un", t.text, self.unary())
            return self.atom()
        finally:
            self.level -= 1

    def atom(self):
        t = self.take()
        if t.kind == "num":
            return ("num", t.value, t.text)
        if t.kind == "char":
            body = t.text[1:-1]
            if body.startswith("\\"):
                body = body[1:]
            return ("char", body)
        if t.kind == "str":
            return ("str", t.text[1:-1])
        if t.kind == "lpar":
            node = self.expr(0)
            end = self.peek()
            if end is None or end.kind != "rpar":
                raise AsmError("mismatched parentheses", "Emismatched_parentheses")
            self.take()
            return ("paren", node)
        if t.kind == "lbr":
            node = self.expr(0)
            end = self.peek()
            if end is None or end.kind != "rbr":
                raise AsmError("missing ']' in expression", "Emalformed_expression")
            self.take()
            return node
        if t.kind == "name":
            nxt = self.peek()
            if nxt is not None and nxt.kind == "lpar":
                self.take()
                args = []
                if self.peek() is not None and self.peek().kind == "rpar":
                    self.take()
                    return ("call", t.text, args)
                while True:
                    args.append(self.expr(0))
                    sep = self.take() if self.peek() is not None else None
                    if sep is None:
                        raise AsmError(f"missing ')' after arguments of {t.text}", "Emalformed_expression")
                    if sep.kind == "rpar":
                        break
                    if sep.kind != "comma":
                        raise AsmError(f"unexpected '{sep.text}' in arguments of {t.text}", "Emalformed_expression")
                return ("call", t.text, args)
            if nxt is not None and nxt.kind == "lbr":
                # Struct[index].field
                self.take()
                index = self.expr(0)
                close = self.peek()
                if close is None or close.kind != "rbr":
                    raise AsmError("missing ']' after a struct index", "Emalformed_expression")
                self.take()
                field = self.peek()
                if field is None or field.kind != "name" or not field.text.startswith("."):
                    raise AsmError("a struct index needs a .field after it", "Emalformed_expression")
                self.take()
                return ("element", t.text, index, field.text)
            return ("label", t.text)
        if t.kind == "op" and set(t.text) <= {"+", "-"}:
            return ("anon", t.text)
        raise AsmError(f"unexpected '{t.text}' in expression", "Emalformed_expression")


_CACHE: dict[tuple[str, bool, bool], object] = {}


def parse(text: str, pri: bool = False, cond: bool = False):
    key = (text, pri, cond)
    node = _CACHE.get(key)
    if node is None:
        text = text.strip()
        if not text:
            raise AsmError("missing expression", "Emalformed_expression")
        if re.fullmatch(r"[+-]+", text):
            node = ("anon", text)
        else:
            node = Parser(tokenize(text), pri, cond).parse()
            if tree_depth(node) > MAX_DEPTH:
                raise _too_deep()
        if len(_CACHE) > 200_000:
            _CACHE.clear()
        _CACHE[key] = node
    return node


def count_binops(node) -> int:
    kind = node[0]
    if kind == "bin":
        return 1 + count_binops(node[2]) + count_binops(node[3])
    if kind in ("un", "paren"):
        return count_binops(node[-1])
    if kind == "call":
        return sum(count_binops(a) for a in node[2])
    return 0


def has_label(node) -> bool:
    kind = node[0]
    if kind == "paren":
        return has_label(node[1])
    if kind in ("label", "anon"):
        return True
    if kind == "un":
        return has_label(node[2])
    if kind == "bin":
        return has_label(node[2]) or has_label(node[3])
    if kind == "call":
        return any(has_label(a) for a in node[2])
    return False


_EXACT = 1 << 53  # asar computes in doubles: integers past 2**53 lose their low bits
MAX_BITS = 1024  # an exact integer past this becomes a double (which is inf past 2**1024)
_MAX_DIGITS = 300  # a longer decimal literal is read as a double
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def to_float(v: int | float) -> float:
    """``v`` as a double; an integer too large for one is +-inf, never an OverflowError."""
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def bounded(v: int) -> int | float:
    """An exact integer while it has at most MAX_BITS bits, else the double it rounds to:
    no value the source computes grows without bound."""
    return v if -_EXACT < v < _EXACT or v.bit_length() <= MAX_BITS else to_float(v)


def to_int(v: int | float) -> int:
    """The integer a value stands for: a double truncated; inf clamped to 64 bits and NaN
    the lowest 64-bit value, as a double converts on the processors asar runs on."""
    if isinstance(v, float):
        if math.isnan(v):
            return INT64_MIN
        if math.isinf(v):
            return INT64_MAX if v > 0 else INT64_MIN
        return int(v)
    return v


def _shift_count(b: int) -> int:
    return b if b < 64 else b & 63  # a 64-bit shift counts modulo 64, as asar's does


def power(a: int | float, b: int | float) -> int | float:
    """``a ** b`` without computing a number of unbounded size."""
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.pow(to_float(a), to_float(b))
        except OverflowError:
            return math.inf if a > 0 or float(b) % 2 == 0 else -math.inf
        except ValueError:   # a negative number to a fractional power
            return math.nan
    if b < 0:
        return 0
    if abs(a) <= 1 or b * math.log2(abs(a)) <= MAX_BITS:
        return bounded(a**b)
    return math.inf if a > 0 or b % 2 == 0 else -math.inf


def _as_double(exact: int, a, b, op) -> int | float:
    if -_EXACT < exact < _EXACT:
        return exact
    x, y = to_float(a), to_float(b)
    r = x + y if op == "+" else x - y if op == "-" else x * y
    return int(r) if abs(r) < 1e300 else r


def binop(op: str, a: int | float, b: int | float) -> int | float:
    if op in "+-*/%" and type(a) is not type(b):   # a double with an integer of any size
        if isinstance(a, float):
            b = to_float(b)
        else:
            a = to_float(a)
    if op == "+":
        r = a + b
        return _as_double(r, a, b, op) if type(r) is int else r
    if op == "-":
        r = a - b
        return _as_double(r, a, b, op) if type(r) is int else r
    if op == "*":
        r = a * b
        return _as_double(r, a, b, op) if type(r) is int else r
    if op == "/":
        if b == 0:
            raise AsmError("division by zero", "Edivision_by_zero")
        if isinstance(a, float) or isinstance(b, float):
            return a / b
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b >= 0) else -q
    if op == "%":
        if b == 0:
            raise AsmError("modulo by zero", "Emodulo_by_zero")
        if isinstance(a, float) or isinstance(b, float):
            return math.fmod(a, b) if math.isfinite(a) else math.nan
        r = abs(a) % abs(b)
        return r if a >= 0 else -r
    if op in ("<<", ">>", "&", "|", "^"):
        x, y = to_int(a), to_int(b)
        if op == "<<":
            return bounded(x << _shift_count(y)) if y >= 0 else x >> _shift_count(-y)
        if op == ">>":
            return x >> _shift_count(y) if y >= 0 else bounded(x << _shift_count(-y))
        if op == "&":
            return x & y
        if op == "|":
            return x | y
        return x ^ y
    if op == "**":
        return power(a, b)
    if op == "<":
        return int(a < b)
    if op == ">":
        return int(a > b)
    if op == "<=":
        return int(a <= b)
    if op == ">=":
        return int(a >= b)
    if op == "==":
        return int(a == b)
    if op == "!=":
        return int(a != b)
    if op == "&&":
        return int(bool(a) and bool(b))
    if op == "||":
        return int(bool(a) or bool(b))
    raise AsmError(f"unknown operator {op}", "Emalformed_expression")
