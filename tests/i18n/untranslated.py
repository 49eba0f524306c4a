"""Finding user-facing strings that are not marked for translation.

Templates: visible text and user-facing attributes (``title``, ``placeholder``,
``aria-label``, ``alt``) outside ``{% translate %}`` / ``{% blocktranslate %}``.
Python: string literals (plain or f-strings) given to the places people read — messages,
validation errors, API errors, refusals, form labels and help texts, model verbose names
— that are not wrapped in ``gettext`` / ``gettext_lazy`` / ``ngettext`` / ``pgettext``;
and sentences a function returns for its caller to show ("Paused: its owner has no
licence."), except from ``__repr__`` (developers read those).

Left out on purpose: ``help_text`` and ``description`` in the API package (serializers,
``OpenApiParameter``, ``extend_schema``). They document the API's schema for developers,
who read it in English, and never reach a person using the product; the API's error
messages and validation errors are still found.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
#: Python packages whose messages people read (the sandbox and benchmarks are ours).
PACKAGES = ("core", "accounts", "audit", "connector", "workflows", "runs", "api", "web", "console",
            "sheetforce")
TEMPLATE_DIRS = [ROOT / p / "templates" for p in PACKAGES]
#: Words that are the same in every language (names of products and of standards).
SAME_IN_EVERY_LANGUAGE = {"sheetforce", "Salesforce", "Smartsheet", "Service", "Cloud", "API",
                          "OK", "SLA", "ID", "URL", "JSON", "CSV", "REST", "OAuth"}
#: Template blocks whose content is markup, not text (CSS classes of the admin's body).
MARKUP_BLOCKS = {"bodyclass", "coltype"}
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext",
           "pgettext_lazy", "npgettext", "format_lazy"}
#: Calls whose first positional argument is shown to a person.
MESSAGE_CALLS = {"success", "error", "warning", "info", "debug", "add_message",
                 "ValidationError", "ApiError", "PermissionDenied", "RunRefused",
                 "ConnectionMissing", "ConnectionInvalid", "InstallInvalid",
                 "InstallSetupRefused", "ConversionError", "SyncFailed", "Http404",
                 "ReportUnavailable", "ParseError", "NotFound", "ImproperlyConfigured",
                 "add", "add_error", "PathError"}
#: Of those, the calls whose message is the second positional argument (the first names
#: the request, or the field the error belongs to).
SECOND_ARGUMENT = {"success", "error", "warning", "info", "debug", "add", "add_error"}
#: Keyword arguments shown to a person.
MESSAGE_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural",
                    "description", "message", "empty_label"}
#: Keywords that only document the API's schema (see the module's docstring).
SCHEMA_KEYWORDS = {"help_text", "description"}


class _Text(HTMLParser):
    """Visible text and user-facing attribute values of an HTML page, with their lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre"):
            self._skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.found.append((self.getpos()[0], value))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.found.append((self.getpos()[0], data))


#: What a template tag or variable becomes in the page's skeleton: no letters, so only
#: literal text around it is judged.
_PLACEHOLDER = "•"


def _skeleton(source: str) -> str:
    """The template with every variable and tag replaced by a placeholder (newlines kept,
    so lines still match) and the text inside {% blocktranslate %} dropped."""
    out = []
    depth = 0
    blocks: list[str] = []
    for token in Lexer(source).tokenize():
        raw = token.contents
        lines = "\n" * raw.count("\n")
        if token.token_type == TokenType.BLOCK:
            words = raw.split()
            word = words[0] if words else ""
            if word in ("blocktranslate", "blocktrans", "comment"):
                depth += 1
            elif word in ("endblocktranslate", "endblocktrans", "endcomment"):
                depth -= 1
            elif word == "block":
                blocks.append(words[1] if len(words) > 1 else "")
            elif word == "endblock" and blocks:
                blocks.pop()
            out.append(_PLACEHOLDER + lines)
        elif token.token_type == TokenType.TEXT and blocks and blocks[-1] in MARKUP_BLOCKS:
            out.append(lines)
        elif token.token_type == TokenType.TEXT:
            out.append(re.sub(r"[^\n]", "", raw) if depth else raw)
        else:
            out.append(_PLACEHOLDER + lines)
    return "".join(out)


def _needs_translation(text: str) -> bool:
    words = re.findall(r"[A-Za-z][A-Za-z']+", text)
    return any(w not in SAME_IN_EVERY_LANGUAGE for w in words)


def template_problems(path: Path) -> list[str]:
    """Untranslated visible strings of one template, as ``path:line: text``."""
    parser = _Text()
    parser.feed(_skeleton(path.read_text()))
    parser.close()
    problems = []
    for line, piece in parser.found:
        text = " ".join(piece.replace(_PLACEHOLDER, " ").split())
        if _needs_translation(text):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {text[:70]}")
    return problems


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]{2,}", node.value)) and " " in node.value.strip()
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and re.search(r"[A-Za-z]{2,}\s", v.value)
                   for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_text(node.left)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        # ``prefix + "choose a column."``: either side may be the sentence.
        return _is_text(node.left) or _is_text(node.right)
    return False


#: Names of variables whose text people read.
MESSAGE_NAME = re.compile(r"(?i)(message|messages|note|reason|text)$")
#: Model fields whose first argument is the related model, not a verbose name.
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def func_owner(node: ast.Call) -> str | None:
    """``models`` for ``models.CharField(...)``."""
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return None


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(
        func, ast.Attribute) else ""


def _choice_problems(path: Path, tree: ast.AST) -> list[str]:
    """Labels of ``TextChoices`` members (``TO_SALESFORCE = "to_salesforce", "Label"``):
    pages and the admin show them through ``get_FOO_display``."""
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef) or not any(
                getattr(b, "attr", getattr(b, "id", "")) == "TextChoices" for b in node.bases):
            continue
        for item in node.body:
            value = item.value if isinstance(item, ast.Assign) else None
            if (isinstance(value, ast.Tuple) and len(value.elts) == 2
                    and isinstance(value.elts[1], ast.Constant)
                    and isinstance(value.elts[1].value, str)
                    and _needs_translation(value.elts[1].value)):
                text = value.elts[1].value[:70]
                problems.append(f"{path.relative_to(ROOT)}:{item.lineno}: {text!r}")
    return problems


def _sentence(node: ast.AST) -> bool:
    """Whether ``node`` reads as a sentence: it starts with a capital and has three
    words or more (a returned key, code or URL does not)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        # A placeholder reads as a word ("{name} is paused" is a sentence).
        text = "".join(v.value if isinstance(v, ast.Constant) else "Xx" for v in node.values)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _sentence(node.left) or (isinstance(node.op, ast.Add) and _sentence(node.right))
    else:
        return False
    return bool(re.match(r"\s*[A-Z][a-z']", text)) and len(re.findall(r"[A-Za-z]{2,}", text)) >= 3


def _returned(value: ast.AST | None) -> list[ast.AST]:
    """The expressions a ``return`` may hand back: each side of a conditional or an
    ``or``, each item of a tuple."""
    if value is None:
        return []
    if isinstance(value, ast.Tuple):
        return [v for item in value.elts for v in _returned(item)]
    if isinstance(value, ast.IfExp):
        return _returned(value.body) + _returned(value.orelse)
    if isinstance(value, ast.BoolOp):
        return [v for item in value.values for v in _returned(item)]
    return [value]


def _return_problems(path: Path, tree: ast.AST) -> list[str]:
    """Sentences functions return untranslated (their callers show them)."""
    problems = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or (
                function.name == "__repr__"):
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Return):
                continue
            for value in _returned(node.value):
                if _is_text(value) and _sentence(value):
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: "
                                    f"{ast.unparse(value)[:70]}")
    return problems


def python_problems(path: Path) -> list[str]:
    """Untranslated messages of one module, as ``path:line: text``."""
    tree = ast.parse(path.read_text())
    keywords = MESSAGE_KEYWORDS
    if path.relative_to(ROOT).parts[0] == "api":
        keywords = MESSAGE_KEYWORDS - SCHEMA_KEYWORDS
    problems = _choice_problems(path, tree) + _return_problems(path, tree)
    for node in ast.walk(tree):
        # ``STALE_MESSAGE = "..."``, ``message = "..."``, ``default_error_messages = {...}``:
        # a sentence kept under a name that says people read it.
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and MESSAGE_NAME.search(t.id) for t in node.targets):
            values = node.value.values if isinstance(node.value, ast.Dict) else _returned(
                node.value)
            for value in values:
                if value is not None and _is_text(value) and _sentence(value):
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: "
                                    f"{ast.unparse(value)[:70]}")
        # ``verbose_name = "..."`` in a model's Meta or an app's config.
        if (isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("verbose_name", "verbose_name_plural")
                for t in node.targets)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                and _needs_translation(node.value.value)):
            problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.value!r}")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _call_name(node) in GETTEXT:
            continue
        name = _call_name(node)
        candidates = []
        if name in MESSAGE_CALLS:
            index = 1 if name in SECOND_ARGUMENT else 0
            if len(node.args) > index:
                candidates.append(node.args[index])
        candidates += [k.value for k in node.keywords if k.arg in keywords]
        # ``message=text or "..."``, ``message="..." if x else "..."``: each side.
        candidates = [v for c in candidates for v in _returned(c)]
        first = node.args[0] if node.args else None
        if (name.endswith("Field") and name not in RELATION_FIELDS
                and func_owner(node) == "models"
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str) and _needs_translation(first.value)):
            # A model field's verbose name, given first: one word is enough to show.
            problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {first.value!r}")
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
