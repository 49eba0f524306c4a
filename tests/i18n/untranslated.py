"""Finding user-facing strings that are not marked for translation.

Templates: visible text and user-facing attributes (``title``, ``placeholder``,
``aria-label``, ``alt``) outside ``{% translate %}`` / ``{% blocktranslate %}``.
Python: string literals (plain or f-strings) given to the places people read — messages,
validation errors, API errors, refusals, form labels and help texts, model verbose names
— that are not wrapped in ``gettext`` / ``gettext_lazy`` / ``ngettext`` / ``pgettext``.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
#: Python packages whose messages people read (the sandbox and benchmarks are ours).
PACKAGES = ("core", "accounts", "connector", "workflows", "runs", "api", "web", "console",
            "sheetforce")
TEMPLATE_DIRS = [ROOT / p / "templates" for p in PACKAGES]
#: Text that is the same in every language.
UNTRANSLATABLE = re.compile(
    r"^(sheetforce|Salesforce|Smartsheet|Service Cloud|API|OK|SLA|ID|URL|JSON|CSV|"
    r"[\W\d_]*|[A-Z][a-zA-Z]*__c)$")
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext",
           "pgettext_lazy", "npgettext", "format_lazy"}
#: Calls whose first positional argument is shown to a person.
MESSAGE_CALLS = {"success", "error", "warning", "info", "debug", "add_message",
                 "ValidationError", "ApiError", "PermissionDenied", "RunRefused",
                 "ConnectionMissing", "ConnectionInvalid", "InstallInvalid",
                 "InstallSetupRefused", "ConversionError", "SyncFailed", "Http404",
                 "ReportUnavailable", "ParseError", "NotFound", "ImproperlyConfigured"}
#: Keyword arguments shown to a person.
MESSAGE_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural",
                    "description", "message", "empty_label"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre"):
            self._skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


def _visible(text: str) -> list[str]:
    parser = _Text()
    parser.feed(text)
    out = []
    for piece in parser.found:
        piece = " ".join(piece.split())
        if piece and re.search(r"[A-Za-z]{2,}", piece) and not UNTRANSLATABLE.match(piece):
            out.append(piece)
    return out


def template_problems(path: Path) -> list[str]:
    """Untranslated visible strings of one template, as ``path:line: text``."""
    source = path.read_text()
    problems = []
    depth = 0  # inside {% blocktranslate %} ... {% endblocktranslate %}
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            word = token.contents.split()[0] if token.contents.split() else ""
            if word in ("blocktranslate", "blocktrans"):
                depth += 1
            elif word in ("endblocktranslate", "endblocktrans"):
                depth -= 1
            continue
        if token.token_type != TokenType.TEXT or depth:
            continue
        # A variable inside an attribute splits the text: drop half-open attributes.
        for text in _visible(token.contents):
            problems.append(f"{path.relative_to(ROOT)}:{token.lineno}: {text[:70]}")
    return problems


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]{2,}", node.value)) and " " in node.value.strip()
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and re.search(r"[A-Za-z]{2,}\s", v.value)
                   for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _is_text(node.left)
    return False


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(
        func, ast.Attribute) else ""


def python_problems(path: Path) -> list[str]:
    """Untranslated messages of one module, as ``path:line: text``."""
    tree = ast.parse(path.read_text())
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _call_name(node) in GETTEXT:
            continue
        name = _call_name(node)
        candidates = []
        if name in MESSAGE_CALLS:
            index = 1 if name in ("success", "error", "warning", "info", "debug") else 0
            if len(node.args) > index:
                candidates.append(node.args[index])
        candidates += [k.value for k in node.keywords if k.arg in MESSAGE_KEYWORDS]
        for value in candidates:
            if _is_text(value):
                text = ast.unparse(value)[:70]
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text}")
    return problems


def all_problems() -> list[str]:
    problems = []
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")) + sorted(folder.rglob("*.txt")):
            problems += template_problems(path)
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                problems += python_problems(path)
    return problems
