"""Reading a built query back through the sandbox's SOQL parser: the WHERE clause as a
flat list of (negated, field, operator, literal tokens), for the injection tests."""

from __future__ import annotations

from sandbox.salesforce.soql.grammar import BoolOp, Comparison, parse


def where_terms(text: str) -> list[tuple[bool, str, str, tuple]]:
    """The top-level AND terms of ``text``'s WHERE; each a comparison, maybe negated.

    Anything else at the top level (an OR, a nested AND under NOT) is returned as a
    ``("shape", repr)`` marker so that a test comparing with the intended terms fails.
    """
    where = parse(text).where
    if where is None:
        return []
    items = where.items if isinstance(where, BoolOp) and where.op == "AND" else (where,)
    terms = []
    for item in items:
        negated = False
        if isinstance(item, BoolOp) and item.op == "NOT" and len(item.items) == 1:
            negated, item = True, item.items[0]
        if isinstance(item, Comparison):
            terms.append((negated, ".".join(item.path.parts), item.op,
                          tuple((v.kind, v.raw) for v in item.values)))
        else:
            terms.append(("shape", repr(item), "", ()))
    return terms
