"""Validating one record (an imported row, a suggestion, a fixed quarantined row) with pydantic v2.

Every field is checked on its own, so a rejected record lists *every* problem, each as
``"field: what is wrong; how to fix it"``. Text is stored exactly as given (after trimming
surrounding spaces): HTML or formula-like text is data, made safe where it is *shown* (templates
escape it; :func:`assetmap.registry.export.safe_csv_cell` neutralises it in CSV downloads).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from ..errors import MalformedPostcodeError
from ..ingest.postcode_format import normalise
from ..taxonomy import Taxonomy
from .geocode import PostcodeLookup, as_lookup

FIELDS = ("id", "name", "category", "description", "address", "postcode", "lat", "lon", "url", "email",
          "phone", "opening_hours", "wheelchair", "last_verified")
LIMITS = {"id": 100, "name": 200, "category": 64, "description": 4000, "address": 300, "postcode": 16,
          "url": 500, "email": 254, "phone": 40, "opening_hours": 500}
MULTILINE = ("description", "address", "opening_hours")
WHEELCHAIR = ("yes", "no", "limited")
UK_BBOX = (-8.7, 49.8, 1.9, 60.9)  # lon/lat: Great Britain and Northern Ireland, generously
EARLIEST_VERIFIED = date(2000, 1, 1)
STORED = ("name", "category", "description", "address", "postcode", "lat", "lon", "located_by", "url", "email",
          "phone", "opening_hours", "wheelchair", "last_verified")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAK = re.compile(r"[\t\n\r\u2028\u2029]")
_UNDECODED = re.compile(r"[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # any other lone surrogate (e.g. a JSON "\\ud800" escape)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
_BARE_HOST = re.compile(r"^(?:www\.)?[a-z0-9\-]+(?:\.[a-z0-9\-]+)+(?:[/?#]\S*)?$", re.I)
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+$",
                    re.I)
_PHONE_CHARS = re.compile(r"^[0-9+()\s.\-]+$")


@dataclass
class Checks:
    """What validation checks against: the taxonomy, a postcode lookup and today's date."""

    taxonomy: Taxonomy
    lookup: PostcodeLookup | None = None
    today: date = field(default_factory=date.today)

    def __post_init__(self):
        self.lookup = as_lookup(self.lookup)


@dataclass
class Result:
    values: dict[str, Any] | None  # the clean record (STORED fields + "id") when valid
    reasons: list[str]
    warnings: list[str] = field(default_factory=list)  # plausibility cautions: kept for curators, not quarantined

    @property
    def ok(self) -> bool:
        return not self.reasons


def _shown(v: Any, n: int = 40) -> str:
    s = str(v)
    return repr(s if len(s) <= n else s[:n] + "…")


class AssetIn(BaseModel):
    """One record's fields, validated independently; all optional fields may be blank."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str | None = Field(None, max_length=LIMITS["id"])
    name: str = Field(max_length=LIMITS["name"])
    category: str = Field(max_length=LIMITS["category"])
    description: str | None = Field(None, max_length=LIMITS["description"])
    address: str | None = Field(None, max_length=LIMITS["address"])
    postcode: str | None = Field(None, max_length=LIMITS["postcode"])
    lat: float | None = Field(None, allow_inf_nan=False)
    lon: float | None = Field(None, allow_inf_nan=False)
    url: str | None = Field(None, max_length=LIMITS["url"])
    email: str | None = Field(None, max_length=LIMITS["email"])
    phone: str | None = Field(None, max_length=LIMITS["phone"])
    opening_hours: str | None = Field(None, max_length=LIMITS["opening_hours"])
    wheelchair: Literal["yes", "no", "limited"] | None = None
    last_verified: date | None = None
    located_by: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, v: Any, info: ValidationInfo) -> Any:
        if not isinstance(v, str):
            return v
        if m := _UNDECODED.search(v):
            raise ValueError(f"contains bytes that are not UTF-8 (byte 0x{ord(m.group()) - 0xDC00:02x} at character "
                             f"{m.start() + 1}, shown as \\x{ord(m.group()) - 0xDC00:02x}); re-save the file as "
                             f"UTF-8, or give its encoding with --encoding (the import form's Encoding), or retype "
                             f"the text when fixing this row")
        if m := _SURROGATE.search(v):
            raise ValueError(f"contains a lone surrogate (U+{ord(m.group()):04X}) at character {m.start() + 1}, which "
                             f"is not a character; retype the text")
        if (at := v.find("\ufffd")) >= 0:
            raise ValueError(f"contains U+FFFD (\ufffd) at character {at + 1}, the mark left where bytes could not be "
                             f"read as text; retype the text as it should be")
        if m := _CONTROL.search(v):
            label = {"\x00": " NUL", "\x1b": " ESC", "\x7f": " DEL", "\x08": " BACKSPACE"}.get(m.group(), "")
            raise ValueError(f"contains a control character (U+{ord(m.group()):04X}{label}) at character "
                             f"{m.start() + 1}; remove it")
        v = v.strip()
        if info.field_name not in MULTILINE and _BREAK.search(v):
            raise ValueError("contains a line break or tab; write it on one line")
        if info.field_name == "wheelchair":
            v = v.lower()
        if not v and info.field_name in ("name", "category"):
            what = "the asset's name" if info.field_name == "name" else "a category from data/taxonomy.toml"
            raise ValueError(f"required; give {what}")
        return v or None

    @field_validator("lat", "lon")
    @classmethod
    def _coordinate(cls, v: float | None, info: ValidationInfo) -> float | None:
        if v is None:
            return None
        lo, hi = (UK_BBOX[1], UK_BBOX[3]) if info.field_name == "lat" else (UK_BBOX[0], UK_BBOX[2])
        world = 90 if info.field_name == "lat" else 180
        if abs(v) > world:
            raise ValueError(f"{v} is not a {'latitude' if world == 90 else 'longitude'} (-{world}..{world}); "
                             f"give WGS84 decimal degrees")
        if not lo <= v <= hi:
            raise ValueError(f"{v} is outside the UK ({lo}..{hi}); check the coordinates, and that lat and lon "
                             f"are not swapped")
        return round(v, 7)

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None:
            return None
        try:
            code = normalise(v)
        except MalformedPostcodeError:
            raise ValueError(f"{_shown(v)} is not a UK postcode; write it like S40 1LP") from None
        checks: Checks | None = (info.context or {}).get("checks")
        if checks and checks.lookup and checks.lookup(code) is None:
            raise ValueError(f"{code} is not a known postcode (Code-Point Open); check it, or give lat and lon")
        return code

    @field_validator("category")
    @classmethod
    def _category(cls, v: str, info: ValidationInfo) -> str:
        checks: Checks | None = (info.context or {}).get("checks")
        key = checks.taxonomy.resolve(v) if checks else v
        if key is None:
            raise ValueError(f"{_shown(v)} is not an assetmap category; use a category key, label or alias from "
                             f"data/taxonomy.toml (e.g. community_centre, library, food_bank), or add an alias there")
        return key

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None:
            return None
        m = _SCHEME.match(v)
        if m and m.group(1).lower() not in ("http", "https"):
            raise ValueError(f"{_shown(m.group(1) + ':')} addresses are not allowed; give a web address starting "
                             f"https:// or http://")
        if not m and _BARE_HOST.match(v):
            v = "http://" + v
        parts = urlsplit(v)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "." not in parts.hostname \
                or re.search(r"\s", v):
            raise ValueError(f"{_shown(v)} is not a web address; give one like https://example.org/page")
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not _EMAIL.match(v):
            raise ValueError(f"{_shown(v)} is not an e-mail address; give one like name@example.org")
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is None:
            return None
        digits = re.sub(r"\D", "", v.replace("(0)", "")) if _PHONE_CHARS.match(v) else ""
        if digits.startswith("44") and v.lstrip().startswith("+"):
            digits = "0" + digits[2:]
        if not (digits.startswith("0") and 10 <= len(digits) <= 11):
            raise ValueError(f"{_shown(v)} is not a UK phone number; give 10 or 11 digits, e.g. 01246 345345 "
                             f"or +44 1246 345345")
        return v

    @field_validator("last_verified")
    @classmethod
    def _verified(cls, v: date | None, info: ValidationInfo) -> date | None:
        checks: Checks | None = (info.context or {}).get("checks")
        today = checks.today if checks else date.today()
        if v is not None and not EARLIEST_VERIFIED <= v <= today:
            raise ValueError(f"{v.isoformat()} is not between {EARLIEST_VERIFIED.isoformat()} and today; "
                             f"give the date the details were last checked")
        return v

    @model_validator(mode="after")
    def _locate(self, info: ValidationInfo) -> AssetIn:
        if self.lat is not None:
            return self.model_copy(update={"located_by": "coordinates"})
        checks: Checks | None = (info.context or {}).get("checks")
        found = checks.lookup(self.postcode) if (checks and checks.lookup and self.postcode) else None
        if found is None:  # the cross-field checks in validate() have already said why
            raise ValueError("no location")
        return self.model_copy(update={"lat": round(found[0], 7), "lon": round(found[1], 7), "located_by": "postcode"})


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _reason(err: dict) -> str:
    loc = err.get("loc") or ()
    where = str(loc[0]) if loc else "location"
    t, ctx, given = err["type"], err.get("ctx") or {}, err.get("input")
    if t == "value_error":
        msg = str(ctx.get("error", err["msg"]))
    elif t == "string_too_long":
        msg = f"too long ({len(given)} characters); shorten it to at most {ctx['max_length']}"
    elif t == "finite_number":
        msg = f"{_shown(given)} is not a finite number; give decimal degrees such as 53.2351"
    elif t.startswith("float_") or t.startswith("int_"):
        msg = f"{_shown(given)} is not a number; give decimal degrees such as 53.2351"
    elif t.startswith("date"):
        msg = f"{_shown(given)} is not a date; write it as YYYY-MM-DD"
    elif t == "literal_error":
        msg = f"{_shown(given)} is not one of {', '.join(WHEELCHAIR)}; leave it blank when unknown"
    elif t in ("missing", "string_type") and given is None:
        msg = "required"
    else:
        msg = err["msg"]
    return f"{where}: {msg}"


def validate(values: dict[str, Any], checks: Checks, pre_reasons: list[str] | None = None) -> Result:
    """Validate one record given as assetmap fields (strings, or numbers from JSON)."""
    reasons = list(pre_reasons or [])
    data = {k: values.get(k) for k in FIELDS if k in values}
    has_lat, has_lon = not _blank(data.get("lat")), not _blank(data.get("lon"))
    if has_lat != has_lon:
        reasons.append("lat/lon: only one of them is given; give both, or neither and a postcode")
    elif not has_lat and _blank(data.get("postcode")):
        if not any(r.startswith("no location") for r in reasons):
            reasons.append("no location: neither coordinates (lat, lon) nor a postcode; give one of them")
    elif not has_lat and checks.lookup is None:
        reasons.append("no location: no coordinates, and no postcode lookup to place the postcode; give lat and "
                       "lon, or import with Code-Point Open")
    try:
        model = AssetIn.model_validate(data, context={"checks": checks})
    except ValidationError as exc:
        reasons += [_reason(e) for e in exc.errors(include_url=False)
                    if not (e["type"] == "value_error" and str(e.get("ctx", {}).get("error")) == "no location")]
        return Result(None, reasons)
    if reasons:
        return Result(None, reasons)
    clean = model.model_dump()
    return Result({k: clean[k] for k in ("id", *STORED)}, [], plausibility(clean, checks))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two (lat, lon) points, near enough at this scale (equirectangular)."""
    import math

    dy = (a[0] - b[0]) * 111_195.0
    dx = (a[1] - b[1]) * 111_195.0 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dx, dy)


def plausibility(clean: dict[str, Any], checks: Checks) -> list[str]:
    """The build's plausibility checks (assetmap.trust.plausible) on a valid record: warnings, not rejections."""
    from ..trust.plausible import far_from_postcode, hours_problems, person_name, taxonomy_words, unlike_category

    tx = checks.taxonomy
    cat = clean.get("category")
    label = tx.categories[cat].label if cat in tx.categories else str(cat)
    daytime = cat not in set(tx.trust.get("night_ok", []))
    out = hours_problems(clean.get("opening_hours"), daytime, label)
    out += [x for x in [person_name(clean.get("name"), taxonomy_words(tx))] if x]
    out += unlike_category(cat, label, clean.get("name"), None, tx.trust.get("unlike", {}))
    if clean.get("located_by") == "coordinates" and clean.get("postcode") and checks.lookup:
        at = checks.lookup(clean["postcode"])
        if at is not None:
            far_m = float(tx.trust.get("postcode_far_m", 1000.0))
            out += [x for x in [far_from_postcode(_km(at, (clean["lat"], clean["lon"])), clean["postcode"], far_m)]
                    if x]
    return out


def _norm_name(name: Any) -> str:
    return " ".join(str(name or "").split()).casefold()


def derive_source_id(source: str, name: Any, postcode: Any) -> str:
    """A stable id for a record that has none: from the source, the normalised name and the postcode."""
    try:
        pc = normalise(postcode) if postcode and str(postcode).strip() else ""
    except MalformedPostcodeError:
        pc = " ".join(str(postcode).split()).upper()
    digest = hashlib.sha256(f"{source}|{_norm_name(name)}|{pc}".encode("utf-8", "surrogatepass")).hexdigest()
    return "h-" + digest[:16]
