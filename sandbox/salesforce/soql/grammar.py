"""SOQL text → a small syntax tree, with a lark LALR grammar.

Only syntax is checked here; names, types and operators are checked against the schema
by :mod:`.fields` and :mod:`.conditions`. String literals stay raw (quotes and escapes
included) because their decoding depends on the operator: ``\\%`` and ``\\_`` are legal
in a LIKE pattern only.

Not in the grammar (refused as MALFORMED_QUERY, as an unexpected token): subqueries,
aliases, GROUP BY / HAVING, TYPEOF, WITH, FOR, USING SCOPE, ALL ROWS, bind variables,
functions other than ``COUNT``. Like Salesforce, AND and OR cannot be mixed at one level
without parentheses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .errors import MALFORMED_QUERY, SoqlError, located

_GRAMMAR = r"""
query: "SELECT"i select_list "FROM"i NAME where? order? limit? offset?

select_list: COUNT "(" ")"            -> count_all
           | COUNT "(" path ")"       -> count_field
           | path ("," path)*         -> field_list

path: NAME ("." NAME)*

where: "WHERE"i condition
?condition: unary | and_chain | or_chain
and_chain: unary ("AND"i unary)+
or_chain: unary ("OR"i unary)+
?unary: "NOT"i unary                  -> negation
      | "(" condition ")"
      | path COMP value               -> compare
      | path "LIKE"i value            -> like
      | path "IN"i "(" values ")"     -> in_list
      | path "NOT"i "IN"i "(" values ")" -> not_in_list
      | path INCLUDES "(" values ")"  -> includes
      | path EXCLUDES "(" values ")"  -> includes

values: value ("," value)*
value: STRING | NUMBER | DATE | DATETIME | TRUE | FALSE | NULL | N_DATE | NAME

order: "ORDER"i "BY"i order_item ("," order_item)*
order_item: path DIRECTION? NULLS_POSITION?
limit: "LIMIT"i NUMBER
offset: "OFFSET"i NUMBER

COUNT: "COUNT"i
INCLUDES: "INCLUDES"i
EXCLUDES: "EXCLUDES"i
TRUE: "TRUE"i
FALSE: "FALSE"i
NULL: "NULL"i
DIRECTION: "ASC"i | "DESC"i
NULLS_POSITION.2: /NULLS[ \t\r\n]+(FIRST|LAST)\b/i
COMP: "=" | "!=" | "<>" | "<=" | ">=" | "<" | ">"
NAME: /[a-z][a-z0-9_]*/i
N_DATE.2: /[a-z][a-z0-9_]*:[0-9]+/i
DATETIME.4: /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,3})?(Z|[+-][0-9]{2}:?[0-9]{2})/
DATE.3: /[0-9]{4}-[0-9]{2}-[0-9]{2}/
NUMBER: /[+-]?[0-9]+(\.[0-9]+)?/
STRING: /'(?:[^'\\]|\\[\s\S])*'/

%ignore /[ \t\r\n]+/
"""

_PARSER = Lark(_GRAMMAR, start="query", parser="lalr", lexer="contextual")


@dataclass(frozen=True)
class Path:
    """A dotted field path as written (``parts`` keep the query's spelling)."""

    parts: tuple[str, ...]
    line: int
    column: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Literal:
    """One value token. ``kind`` is the terminal name (STRING, NUMBER, DATE, DATETIME,
    TRUE, FALSE, NULL, N_DATE, NAME); ``raw`` the text as written."""

    kind: str
    raw: str
    line: int
    column: int


@dataclass(frozen=True)
class Comparison:
    """``path op value``; ``op`` is one of = != < <= > >= LIKE IN NOT IN INCLUDES EXCLUDES
    (``<>`` is normalised to ``!=``)."""

    path: Path
    op: str
    values: tuple[Literal, ...]
    line: int
    column: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # "AND", "OR", "NOT"
    items: tuple[Comparison | BoolOp, ...]


@dataclass(frozen=True)
class OrderItem:
    path: Path
    descending: bool
    nulls_last: bool


@dataclass
class SelectStatement:
    object_name: str
    object_line: int
    object_column: int
    #: None for a field list, "all" for COUNT(), or the counted path for COUNT(path).
    count: str | Path | None
    fields: list[Path] = field(default_factory=list)
    where: Comparison | BoolOp | None = None
    order: list[OrderItem] = field(default_factory=list)
    limit: Literal | None = None
    offset: Literal | None = None


@v_args(inline=True)
class _ToTree(Transformer):
    def path(self, *names: Token) -> Path:
        return Path(tuple(str(n) for n in names), names[0].line, names[0].column)

    def count_all(self, _count: Token) -> tuple:
        return ("all", [])

    def count_field(self, _count: Token, path: Path) -> tuple:
        return (path, [])

    def field_list(self, *paths: Path) -> tuple:
        return (None, list(paths))

    def value(self, token: Token) -> Literal:
        return Literal(token.type, str(token), token.line, token.column)

    def values(self, *values: Literal) -> tuple[Literal, ...]:
        return values

    def compare(self, path: Path, op: Token, value: Literal) -> Comparison:
        op_text = "!=" if str(op) == "<>" else str(op)
        return Comparison(path, op_text, (value,), op.line, op.column)

    def like(self, path: Path, value: Literal) -> Comparison:
        return Comparison(path, "LIKE", (value,), path.line, path.column)

    def in_list(self, path: Path, values: tuple[Literal, ...]) -> Comparison:
        return Comparison(path, "IN", values, path.line, path.column)

    def not_in_list(self, path: Path, values: tuple[Literal, ...]) -> Comparison:
        return Comparison(path, "NOT IN", values, path.line, path.column)

    def includes(self, path: Path, keyword: Token, values: tuple[Literal, ...]) -> Comparison:
        return Comparison(path, str(keyword).upper(), values, keyword.line, keyword.column)

    def negation(self, item: Comparison | BoolOp) -> BoolOp:
        return BoolOp("NOT", (item,))

    def and_chain(self, *items: Comparison | BoolOp) -> BoolOp:
        return BoolOp("AND", items)

    def or_chain(self, *items: Comparison | BoolOp) -> BoolOp:
        return BoolOp("OR", items)

    def where(self, condition: Comparison | BoolOp) -> tuple:
        return ("where", condition)

    def order_item(self, path: Path, *modifiers: Token) -> OrderItem:
        descending, nulls_last = False, False
        for token in modifiers:
            if token.type == "DIRECTION":
                descending = str(token).upper() == "DESC"
            else:
                nulls_last = str(token).upper().endswith("LAST")
        return OrderItem(path, descending, nulls_last)

    def order(self, *items: OrderItem) -> tuple:
        return ("order", list(items))

    def limit(self, number: Token) -> tuple:
        return ("limit", Literal(number.type, str(number), number.line, number.column))

    def offset(self, number: Token) -> tuple:
        return ("offset", Literal(number.type, str(number), number.line, number.column))

    def query(self, select: tuple, name: Token, *clauses: tuple) -> SelectStatement:
        count, paths = select
        statement = SelectStatement(str(name), name.line, name.column, count, paths)
        for key, value in clauses:
            setattr(statement, key, value)
        return statement


def parse(text: str) -> SelectStatement:
    """Parse ``text`` or raise :class:`SoqlError` (MALFORMED_QUERY) at the first bad token."""
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    return _ToTree().transform(tree)


def _syntax_error(text: str, error: UnexpectedInput) -> SoqlError:
    line, column = error.line, error.column
    if isinstance(error, UnexpectedCharacters):
        char = text[error.pos_in_stream]
        if char == "'":
            # An opening quote the STRING terminal cannot close: unterminated, or closed
            # only by an escaped quote.
            reason = f"line {line}:{column - 1} mismatched character '<EOF>' expecting '''"
        else:
            reason = f"line {line}:{column - 1} no viable alternative at character '{char}'"
    elif isinstance(error, UnexpectedToken) and error.token.type != "$END":
        reason = f"unexpected token: '{error.token}'"
    else:
        assert isinstance(error, UnexpectedToken | UnexpectedEOF)
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
        reason = "unexpected token: <EOF>"
    return SoqlError(MALFORMED_QUERY, located(text, line, column, reason))
