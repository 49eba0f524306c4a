"""Value conversions between Salesforce fields and Smartsheet cells.

Three forms of a value:

- the *Salesforce canonical* form (``sf_canonical``): JSON-ready, comparable with ``==``
  (``None`` for blank, ``int``/``float`` numbers rounded to the field's scale, dates
  ``YYYY-MM-DD``, datetimes ``YYYY-MM-DDTHH:MM:SSZ`` in UTC, multi-picklists sorted and
  ``;``-joined);
- the *cell* form (``to_cell``): what the engine writes into a sheet;
- the *normalized cell* form (``normalize_cell``): a cell value as read back, made
  comparable (``""`` → ``None``, ``5.0`` → ``5``).

The engine compares each side only with what it last saw *on that side* (the Link
snapshot keeps both forms), so a lossy display format (a datetime shown to the minute)
never comes back as a change. A value that cannot convert raises :class:`ConversionError`,
which the planner turns into a row error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from core.numbers import NumberError, parse_decimal
from core.times import parse_timestamp

NUMBER_TYPES = frozenset({"int", "long", "double", "currency", "percent"})
#: Whole-number types (scale 0).
WHOLE_TYPES = frozenset({"int", "long"})
#: Leaves of relationship paths are not described (that would cost a call per related
#: object); their values pass through as they come.
ANY_TYPE = "anyType"

_DATETIME_DISPLAY = "%Y-%m-%d %H:%M"
#: What Salesforce and Smartsheet accept as an email address.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Column types the API cannot write (system and project columns).
_TRUE_WORDS = frozenset({"true", "yes", "y", "1", "checked", "x", "on"})
_FALSE_WORDS = frozenset({"false", "no", "n", "0", "unchecked", "off", ""})


class ConversionError(ValueError):
    """A value that cannot become the other side's type; ``str()`` is fit for a user (in
    the active language). ``kind`` says what is wrong: ``type``, ``too_long`` or
    ``picklist`` (not one of a restricted picklist's values)."""

    def __init__(self, message: str, kind: str = "type") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class FieldInfo:
    """What the engine needs from a describe field."""

    name: str
    type: str = "string"
    length: int = 0
    precision: int = 0
    scale: int = 0
    digits: int = 0
    updateable: bool = False
    createable: bool = False
    nillable: bool = True
    restricted: bool = False
    picklist: tuple[str, ...] = ()
    reference_to: tuple[str, ...] = ()
    relationship_name: str = ""
    #: The field's label ("Stage" for StageName), to name it to people.
    label: str = ""

    @classmethod
    def from_describe(cls, field: dict) -> FieldInfo:
        return cls(
            name=field["name"],
            label=field.get("label") or "",
            type=field.get("type") or "string",
            length=field.get("length") or 0,
            precision=field.get("precision") or 0,
            scale=field.get("scale") or 0,
            digits=field.get("digits") or 0,
            updateable=bool(field.get("updateable")),
            createable=bool(field.get("createable")),
            nillable=bool(field.get("nillable", True)),
            restricted=bool(field.get("restrictedPicklist")),
            picklist=tuple(
                p["value"] for p in field.get("picklistValues") or () if p.get("active", True)
            ),
            reference_to=tuple(field.get("referenceTo") or ()),
            relationship_name=field.get("relationshipName") or "",
        )

    def as_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, data: dict) -> FieldInfo:
        # A cache written by an older version may lack newer keys: they take defaults.
        return cls(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items()
                      if k in _FIELD_NAMES})


_FIELD_NAMES = frozenset(FieldInfo.__dataclass_fields__)

#: Below this, an integral int or float is its own rounded value at any scale (and far
#: from the 28 digits where quantize would overflow): the shortcut of :func:`_number`.
_EXACT_INTEGRAL = 10**15


def _number(value: Any, scale: int | None) -> int | float:
    """A number rounded to ``scale`` decimals, ``int`` when integral (5.0 → 5)."""
    kind = value.__class__
    if ((kind is int or (kind is float and value.is_integer()))
            and -_EXACT_INTEGRAL < value < _EXACT_INTEGRAL):
        return int(value)  # what the Decimal path below gives, without it
    try:
        # Linear in the text and bounded in magnitude: "1e400000" is refused at once,
        # never expanded (core.numbers).
        number = parse_decimal(value)
    except NumberError as exc:
        raise ConversionError(exc.message) from None
    if scale is not None:
        try:
            number = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:  # too many digits to keep `scale` decimals
            raise ConversionError(_("'%(value)s' is too large a number for this field")
                                  % {"value": value}) from exc
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _parse_sf_datetime(text: str) -> datetime:
    """A Salesforce timestamp in UTC (one without an offset is taken as UTC)."""
    moment = parse_timestamp(text.strip(), naive_as=UTC)
    if moment is None:
        raise ValueError("no date-time")
    return moment.astimezone(UTC)


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sf_canonical(value: Any, info: FieldInfo) -> Any:
    """The canonical form of a value as Salesforce returned it."""
    kind = info.type
    if kind == "boolean":
        return bool(value)
    if value is None or value == "":
        return None
    if kind in NUMBER_TYPES:
        return _number(value, 0 if kind in WHOLE_TYPES else (info.scale if info.scale else None))
    if kind == "date":
        return str(value)[:10]
    if kind == "datetime":
        return _iso_utc(_parse_sf_datetime(str(value)))
    if kind == "time":
        return _sf_time(_parse_time(str(value)) or str(value))
    if kind == "multipicklist":
        return ";".join(sorted(p for p in str(value).split(";") if p))
    if kind == ANY_TYPE:
        return value
    return str(value)


def sf_canonical_for(info: FieldInfo) -> Callable[[Any], Any]:
    """``lambda value: sf_canonical(value, info)`` with the per-type decision taken once
    (the hot path of planning 10,000 records × their mappings)."""
    kind = info.type
    if kind == "boolean":
        return bool
    if kind in NUMBER_TYPES:
        scale = 0 if kind in WHOLE_TYPES else (info.scale if info.scale else None)

        def number(value: Any) -> Any:
            if value is None or value == "":
                return None
            return _number(value, scale)
        return number
    if kind in ("date", "datetime", "time", "multipicklist", ANY_TYPE):
        return lambda value: sf_canonical(value, info)
    return _text_canonical


def _text_canonical(value: Any) -> Any:
    """:func:`sf_canonical` of every text type (the same function for all of them, so a
    caller can recognise it)."""
    if value.__class__ is str:
        return value or None
    if value is None or value == "":
        return None
    return str(value)


def to_cell_for(info: FieldInfo, *, tz: str = "UTC") -> Callable[[Any], Any] | None:
    """``lambda canonical: to_cell(canonical, info, tz=tz)``, or None when that is the
    canonical value itself (every type but booleans and datetimes)."""
    if info.type in ("boolean", "datetime", "time"):
        return lambda canonical: to_cell(canonical, info, tz=tz)
    return None


def to_cell(canonical: Any, info: FieldInfo, *, tz: str = "UTC") -> Any:
    """The cell value to write for a canonical Salesforce value."""
    if canonical is None:
        return None if info.type != "boolean" else False
    if info.type == "datetime":
        moment = _parse_sf_datetime(canonical).astimezone(ZoneInfo(tz))
        return moment.strftime(_DATETIME_DISPLAY)
    if info.type == "time":
        moment = _parse_time(str(canonical))
        if moment is None:
            return canonical
        return moment.strftime("%H:%M" if not moment.second else "%H:%M:%S")
    return canonical


def normalize_cell(value: Any) -> Any:
    """A cell value as read back, made comparable with what was written."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 10)
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def from_cell(value: Any, info: FieldInfo, *, tz: str = "UTC") -> Any:
    """The canonical Salesforce value for a cell value (``ConversionError`` if it cannot be).

    Blank is ``None`` except for booleans (unchecked). Text is checked against the field's
    length and, for restricted picklists, its active values.
    """
    kind = info.type
    value = normalize_cell(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        word = _text(value).strip().lower() if value is not None else ""
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise ConversionError(_("'%(value)s' is not a checkbox value (use true or false)")
                              % {"value": value})
    if value is None:
        return None
    if kind in NUMBER_TYPES:
        if isinstance(value, str):
            value = value.strip().replace(",", "").lstrip("$€£").rstrip("%").strip()
        number = _number(value, 0 if kind in WHOLE_TYPES else (info.scale if info.scale else None))
        if kind in WHOLE_TYPES and Decimal(str(value)) != number:
            raise ConversionError(_("'%(value)s' is not a whole number") % {"value": value})
        limit = (info.precision - info.scale) if info.precision else (info.digits or 0)
        if limit and abs(number) >= 10**limit:
            raise ConversionError(_("'%(value)s' has too many digits (at most %(limit)s)")
                                  % {"value": value, "limit": limit})
        return number
    if kind == "date":
        return _parse_date(value).isoformat()
    if kind == "datetime":
        return _iso_utc(_parse_cell_datetime(value, tz))
    if kind == "time":
        moment = _parse_time(_text(value))
        if moment is None:
            raise ConversionError(_("'%(value)s' is not a time of day (use HH:MM)")
                                  % {"value": value})
        return _sf_time(moment)
    if kind == "multipicklist":
        parts = sorted({p.strip() for p in re.split(r"[;\n]", _text(value)) if p.strip()})
        if info.restricted and info.picklist:
            bad = [p for p in parts if p not in info.picklist]
            if bad:
                raise ConversionError(_("'%(value)s' is not one of the allowed values")
                                      % {"value": bad[0]}, "picklist")
        return ";".join(parts) or None
    if kind == ANY_TYPE:
        return value
    text = _text(value)
    if info.length and len(text) > info.length:
        raise ConversionError(_("text is %(length)s characters long, at most %(max)s allowed")
                              % {"length": len(text), "max": info.length}, "too_long")
    if kind == "picklist" and info.restricted and info.picklist and text not in info.picklist:
        raise ConversionError(_("'%(value)s' is not one of the allowed values")
                              % {"value": text}, "picklist")
    if kind == "email" and not _EMAIL.match(text):
        raise ConversionError(_("'%(value)s' is not an email address") % {"value": text})
    return text


_TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M%p", "%I:%M:%S %p")


def _parse_time(text: str) -> time | None:
    """A time of day as people type it or Salesforce sends it (``10:30:00.000Z``)."""
    text = text.strip().upper()
    if text.endswith("Z"):
        text = text[:-1]
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    return None


def _sf_time(moment: time | str) -> str:
    """Salesforce's form of a time of day: ``HH:MM:SS.000Z``."""
    if isinstance(moment, str):
        return moment
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse_date(value: Any) -> date:
    text = _text(value).strip()
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d %H:%M",
                    "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    try:
        return _parse_sf_datetime(text).date()
    except ValueError:
        raise ConversionError(_("'%(value)s' is not a date (use YYYY-MM-DD)")
                              % {"value": text}) from None


def _parse_cell_datetime(value: Any, tz: str) -> datetime:
    text = _text(value).strip()
    for pattern in (_DATETIME_DISPLAY, "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=ZoneInfo(tz))
        except ValueError:
            continue
    try:
        moment = _parse_sf_datetime(text)
    except ValueError:
        raise ConversionError(_("'%(value)s' is not a date and time (use YYYY-MM-DD HH:MM)")
                              % {"value": text}) from None
    return moment


def to_salesforce(canonical: Any, info: FieldInfo) -> Any:
    """The JSON value to send in a Salesforce write for a canonical value."""
    if canonical is None:
        return False if info.type == "boolean" else None
    return canonical


def column_for(info: FieldInfo, title: str) -> dict:
    """The column to create for a "new column" mapping of ``info`` (the same types as
    ``workflows.validation.column_type_for_field``). A date-time gets a text column
    showing ``YYYY-MM-DD HH:MM`` in the install's time zone: Smartsheet's DATETIME type
    belongs to its system columns (created and modified dates) and cannot be made."""
    if info.type == "picklist" and info.picklist:
        return {"title": title, "type": "PICKLIST", "options": list(info.picklist)}
    if info.type == "multipicklist" and info.picklist:
        return {"title": title, "type": "MULTI_PICKLIST", "options": list(info.picklist)}
    if info.type == "boolean":
        return {"title": title, "type": "CHECKBOX"}
    if info.type == "date":
        return {"title": title, "type": "DATE"}
    return {"title": title, "type": "TEXT_NUMBER"}
