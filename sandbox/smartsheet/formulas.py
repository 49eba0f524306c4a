"""Cell and column formulas: a small evaluator for a modest subset of Smartsheet's language.

Smartsheet stores a formula on a cell (``cell.formula``) or on a column (``column.formula``,
applied to every row) and returns the computed ``value``; a formula that cannot be computed
gives an error *value* such as ``#UNPARSEABLE`` or ``#CIRCULAR REFERENCE``, never an API error
(recorded scenario "Add Rows - Assign Formulae"; Smartsheet help "Formula error messages").

Supported here, and nothing more:

- literals: numbers, ``"text"``, ``true``/``false``;
- references to a cell of the same row: ``[Column Name]@row`` or ``Name@row``; to a cell of
  another row by number: ``[Column Name]3``; to a whole column: ``[Column Name]:[Column Name]``
  (only inside functions);
- operators ``+ - * /`` (``+`` joins text when either side is text), ``= <> < > <= >=`` and
  parentheses;
- functions ``SUM``, ``IF``, ``AND``, ``OR``, ``NOT``, ``ROUND``, ``ABS``, ``ISBLANK``,
  ``COUNT``, ``MAX``, ``MIN``.

Anything else evaluates to ``#UNPARSEABLE``; dividing by zero to ``#DIVIDE BY ZERO``; arithmetic
on text to ``#INVALID OPERATION``; a cycle to ``#CIRCULAR REFERENCE``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

UNPARSEABLE = "#UNPARSEABLE"
CIRCULAR = "#CIRCULAR REFERENCE"
DIVIDE_BY_ZERO = "#DIVIDE BY ZERO"
INVALID_OPERATION = "#INVALID OPERATION"

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>\d+(?:\.\d+)?)
    | (?P<string>"[^"]*")
    | (?P<ref>\[[^\]]+\](?:@row|\d+)?|[A-Za-z_][A-Za-z0-9_]*@row)
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    | (?P<op><>|<=|>=|[-+*/=<>(),:])
    )""", re.VERBOSE)


class FormulaError(Exception):
    """Evaluation stops with an error value (one of the ``#...`` constants)."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


@dataclass(frozen=True)
class Ref:
    title: str
    row: int | None  # None: this row (@row); else a row number
    whole_column: bool = False


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise FormulaError(UNPARSEABLE)
        kind = match.lastgroup
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    """Recursive descent into a tree of tuples: ("num", x), ("str", s), ("bool", b),
    ("ref", Ref), ("call", name, [args]), ("op", op, left, right), ("neg", expr)."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or value is not None and token[1] != value:
            raise FormulaError(UNPARSEABLE)
        self.pos += 1
        return token

    def parse(self) -> tuple:
        tree = self.comparison()
        if self.peek() is not None:
            raise FormulaError(UNPARSEABLE)
        return tree

    def comparison(self) -> tuple:
        left = self.additive()
        while (t := self.peek()) and t[1] in ("=", "<>", "<", ">", "<=", ">="):
            self.pos += 1
            left = ("op", t[1], left, self.additive())
        return left

    def additive(self) -> tuple:
        left = self.term()
        while (t := self.peek()) and t[1] in ("+", "-"):
            self.pos += 1
            left = ("op", t[1], left, self.term())
        return left

    def term(self) -> tuple:
        left = self.unary()
        while (t := self.peek()) and t[1] in ("*", "/"):
            self.pos += 1
            left = ("op", t[1], left, self.unary())
        return left

    def unary(self) -> tuple:
        if (t := self.peek()) and t[1] == "-":
            self.pos += 1
            return ("neg", self.unary())
        return self.atom()

    def atom(self) -> tuple:
        kind, text = self.take()
        if kind == "number":
            return ("num", float(text) if "." in text else int(text))
        if kind == "string":
            return ("str", text[1:-1])
        if kind == "ref":
            first = _ref(text)
            if (t := self.peek()) and t[1] == ":":
                self.pos += 1
                second = _ref(self.take()[1])
                if first.title != second.title or first.row or second.row:
                    raise FormulaError(UNPARSEABLE)
                return ("ref", Ref(first.title, None, whole_column=True))
            return ("ref", first)
        if kind == "name":
            upper = text.upper()
            if upper in ("TRUE", "FALSE") and not ((t := self.peek()) and t[1] == "("):
                return ("bool", upper == "TRUE")
            self.take("(")
            args = []
            if (t := self.peek()) and t[1] != ")":
                args.append(self.comparison())
                while (t := self.peek()) and t[1] == ",":
                    self.pos += 1
                    args.append(self.comparison())
            self.take(")")
            return ("call", upper, args)
        if text == "(":
            inner = self.comparison()
            self.take(")")
            return inner
        raise FormulaError(UNPARSEABLE)


def _ref(text: str) -> Ref:
    if text.startswith("["):
        title, _, rest = text[1:].partition("]")
    else:
        title, _, rest = text.partition("@")
        rest = "@" + rest
    if rest == "@row":
        return Ref(title, None)
    if rest.isdigit():
        return Ref(title, int(rest))
    if rest == "":
        return Ref(title, None, whole_column=True)
    raise FormulaError(UNPARSEABLE)


def parse(formula: str) -> tuple:
    """The parsed tree of ``=expression``; ``FormulaError(#UNPARSEABLE)`` when malformed."""
    if not formula.startswith("="):
        raise FormulaError(UNPARSEABLE)
    return _Parser(_tokens(formula[1:])).parse()


def references(tree: tuple) -> list[Ref]:
    out: list[Ref] = []

    def walk(node: tuple) -> None:
        if node[0] == "ref":
            out.append(node[1])
        elif node[0] == "call":
            for arg in node[2]:
                walk(arg)
        elif node[0] == "op":
            walk(node[2])
            walk(node[3])
        elif node[0] == "neg":
            walk(node[1])

    walk(tree)
    return out


def row_only(formula: str) -> bool:
    """Whether every reference is ``@row`` (what a column formula may use)."""
    try:
        return all(r.row is None and not r.whole_column for r in references(parse(formula)))
    except FormulaError:
        return False


#: resolve(ref) -> the referenced value (list of values for a whole column)
Resolver = Callable[[Ref], object]


def evaluate(formula: str, resolve: Resolver) -> object:
    """The value of ``formula``, or an error value string."""
    try:
        result = _eval(parse(formula), resolve)
    except FormulaError as err:
        return err.value
    if isinstance(result, list):
        return UNPARSEABLE
    return result


def _number(value: object) -> float | int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    raise FormulaError(INVALID_OPERATION)


def _flat(values: list[object]) -> list[object]:
    out: list[object] = []
    for value in values:
        out.extend(value if isinstance(value, list) else [value])
    return out


def _tidy(number: float | int) -> float | int:
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def _eval(node: tuple, resolve: Resolver) -> object:
    kind = node[0]
    if kind in ("num", "str", "bool"):
        return node[1]
    if kind == "ref":
        value = resolve(node[1])
        if isinstance(value, str) and value.startswith("#"):
            raise FormulaError(value)
        return value
    if kind == "neg":
        return _tidy(-_number(_eval(node[1], resolve)))
    if kind == "op":
        return _operate(node[1], _eval(node[2], resolve), _eval(node[3], resolve))
    name, args = node[1], node[2]
    if name == "IF":
        if len(args) not in (2, 3):
            raise FormulaError(UNPARSEABLE)
        if _eval(args[0], resolve):
            return _eval(args[1], resolve)
        return _eval(args[2], resolve) if len(args) == 3 else ""
    values = [_eval(a, resolve) for a in args]
    return _function(name, values)


def _function(name: str, values: list[object]) -> object:
    flat = _flat(values)
    numbers = [v for v in flat if isinstance(v, int | float) and not isinstance(v, bool)]
    if name == "SUM":
        return _tidy(sum(numbers))
    if name == "COUNT":
        return sum(1 for v in flat if v not in (None, ""))
    if name in ("MAX", "MIN"):
        return _tidy((max if name == "MAX" else min)(numbers)) if numbers else 0
    if name == "AND":
        return all(bool(v) for v in flat)
    if name == "OR":
        return any(bool(v) for v in flat)
    if name == "NOT" and len(values) == 1:
        return not values[0]
    if name == "ABS" and len(values) == 1:
        return _tidy(abs(_number(values[0])))
    if name == "ROUND" and len(values) in (1, 2):
        digits = int(_number(values[1])) if len(values) == 2 else 0
        return _tidy(round(float(_number(values[0])), digits))
    if name == "ISBLANK" and len(values) == 1:
        return values[0] in (None, "")
    raise FormulaError(UNPARSEABLE)


def _operate(op: str, left: object, right: object) -> object:
    if op == "+" and (isinstance(left, str) or isinstance(right, str)):
        return f"{_text(left)}{_text(right)}"
    if op in ("+", "-", "*", "/"):
        a, b = _number(left), _number(right)
        if op == "/" and b == 0:
            raise FormulaError(DIVIDE_BY_ZERO)
        return _tidy({"+": a + b, "-": a - b, "*": a * b, "/": a / b if op == "/" else 0}[op])
    left_key, right_key = _comparable(left), _comparable(right)
    try:
        return {"=": left_key == right_key, "<>": left_key != right_key,
                "<": left_key < right_key, ">": left_key > right_key,
                "<=": left_key <= right_key, ">=": left_key >= right_key}[op]
    except TypeError:
        raise FormulaError(INVALID_OPERATION) from None


def _comparable(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.lower()
    return value


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
