"""The UK postcode grammar and canonical form, without the data-frame machinery of :mod:`.postcodes`
(so the registry's validation, and the ``assetmap import`` command, stay light)."""
from __future__ import annotations

import re

from ..errors import MalformedPostcodeError

# The UK postcode grammar (outward: area letters, district digit(s)/letter; inward: digit + 2 letters),
# plus the special GIR 0AA.
_POSTCODE = re.compile(r"^(?:GIR0AA|[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2})$")
_JUNK = re.compile(r"[\s\u00a0\-]+")


def normalise(text: str) -> str:
    """Canonical form of a postcode, or :class:`MalformedPostcodeError` naming the fix."""
    if text is None or not str(text).strip():
        raise MalformedPostcodeError("Please enter a postcode, for example S40 1LP.")
    compact = _JUNK.sub("", str(text)).upper()
    if len(compact) > 8 or not _POSTCODE.match(compact):
        shown = str(text).strip()[:20]
        raise MalformedPostcodeError(
            f"“{shown}” is not a UK postcode. A postcode has an outward part and an inward part, "
            f"for example S40 1LP or SW1A 1AA; check the letters and digits and try again."
        )
    return f"{compact[:-3]} {compact[-3:]}"
