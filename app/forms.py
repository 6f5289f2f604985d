"""Form fields and their errors for the public and curator pages.

Forms are plain HTML (every POST carries Flask-WTF's CSRF token); values are checked by the
registry's own validation (:func:`assetmap.registry.validate.validate`), whose reasons read
``"field: what is wrong; how to fix it"``. :func:`field_errors` puts each reason beside its field.
"""
from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from assetmap.registry.validate import LIMITS


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, textarea, select, email, tel, url
    hint: str = ""
    autocomplete: str = "off"
    required: bool = False

    @property
    def maxlength(self) -> int:
        return LIMITS.get(self.name, 254)


ASSET_FIELDS = (
    Field("name", "Name of the place", required=True),
    Field("category", "Type of place", "select", required=True),
    Field("address", "Address", "textarea", "Street and town; the postcode goes below.", "street-address"),
    Field("postcode", "Postcode", hint="We use it to put the place on the map, e.g. S40 1LP.",
          autocomplete="postal-code"),
    Field("url", "Website", "url", "For example https://example.org", "url"),
    Field("phone", "Phone", "tel", "A UK number, e.g. 01246 345345.", "tel"),
    Field("email", "E-mail", "email", "The place's own address, if it has one."),
    Field("description", "What happens there", "textarea", "Who it is for, what it offers."),
    Field("opening_hours", "Opening hours", "textarea", "For example: Mon–Fri 9am–5pm."),
)
CONTACT = Field("contact", "Your e-mail or phone (optional)", hint="Only our moderators see it, in case they have "
                "a question. Leave it blank if you prefer.", autocomplete="email")
SUGGEST_FIELDS = (*ASSET_FIELDS, CONTACT)
ACTIVITY_FIELDS = (
    Field("activity", "Name of the activity or group", hint="For example: Singing for the brain, Men's shed, "
          "Tuesday lunch club.", required=True),
    Field("category", "Type of activity", "select", required=True),
    Field("description", "What happens", "textarea", "Who it is for, what people do."),
    Field("venue", "Where it happens", hint="The name of the hall, church, library or park."),
    Field("postcode", "Postcode of the venue", hint="For example S40 1LP.", autocomplete="postal-code"),
    Field("byday", "Day", hint="For example: Tuesday, or Monday and Wednesday.", required=True),
    Field("often", "How often", "select"),
    Field("opens_at", "Starts at", hint="24-hour clock, for example 10:30.", required=True),
    Field("closes_at", "Ends at", hint="For example 12:00."),
    Field("cost", "Cost", hint="“Free”, or for example “£2 a session”."),
    Field("access", "How to join", "select"),
)
OFTEN_CHOICES = [("How often", [("weekly", "Every week"), ("fortnightly", "Every other week"),
                                ("monthly-1", "1st of the month"), ("monthly-2", "2nd of the month"),
                                ("monthly-3", "3rd of the month"), ("monthly-4", "4th of the month"),
                                ("monthly-last", "Last of the month")])]
ACCESS_CHOICES = [("How to join", [("drop_in", "Just turn up"), ("self_referral", "Get in touch first"),
                                   ("referral", "Referral by a GP or link worker"),
                                   ("appointment", "By appointment")])]
SUGGEST_ACTIVITY_FIELDS = (*ACTIVITY_FIELDS, CONTACT)
QUARANTINE_EXTRA = (Field("id", "Record id"), Field("lat", "Latitude"), Field("lon", "Longitude"),
                    Field("wheelchair", "Wheelchair access (yes, no, limited)"),
                    Field("last_verified", "Last verified (YYYY-MM-DD)"))
HONEYPOT = "homepage"  # a field people never see or fill; bots that fill every field give themselves away
# reasons about where a place is belong beside the postcode on forms without coordinates
_PLACE = {"lat/lon", "no location", "lat", "lon"}
_PUBLIC = {
    "postcode": ("is not a known postcode", "We could not find this postcode in the areas this site covers; "
                                            "check it, or give the postcode of a place nearby."),
    "no location": ("", "Give the postcode of the place, so that we can put it on the map."),
    "category": ("", "Choose the type of place from the list."),
    "name": ("required", "Give the name of the place."),
}


def form_values(form: MultiDict, fields) -> dict[str, str]:
    """The submitted values of ``fields``, trimmed (missing ones as empty strings)."""
    return {f.name: (form.get(f.name) or "").strip() for f in fields}


def field_errors(reasons: list[str], fields, public: bool = False) -> dict[str, list[str]]:
    """``{field name: [message]}`` for validation reasons; reasons about no form field go under ``""``."""
    names = {f.name for f in fields}
    out: dict[str, list[str]] = {}
    for reason in reasons:
        where, _, message = reason.partition(": ")
        key = where if where in names else ("postcode" if where in _PLACE and "postcode" in names else "")
        if public and (where in _PUBLIC or key == "postcode" and where in _PLACE):
            needle, friendly = _PUBLIC.get(where, _PUBLIC["no location"])
            if needle in message:
                message = friendly
        if message not in out.get(key, []):
            out.setdefault(key, []).append(message if key else reason)
    return out


def changed(values: dict[str, str], stored: dict) -> dict[str, str | None]:
    """The values that differ from ``stored`` (blank counts as None)."""
    out = {}
    for k, v in values.items():
        new, old = v or None, stored.get(k)
        if new != (str(old) if old is not None else None):
            out[k] = new
    return out
