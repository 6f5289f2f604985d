"""Links taken from data made safe to put in a page: only http(s) URLs with a host."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

_HTTP = re.compile(r"^https?://", re.IGNORECASE)


def http_url(value) -> str | None:
    """The value if it is an http(s) URL with a host, else None (never a javascript: or data: link)."""
    if not isinstance(value, str):
        return None
    v = value.strip()
    if not _HTTP.match(v) or any(c in v for c in "\r\n\t "):
        return None
    try:
        return v if urlsplit(v).hostname else None
    except ValueError:
        return None


def landing_url(value) -> str | None:
    """A source's landing text may be 'https://… (description)': the URL part, if it is http(s)."""
    if not isinstance(value, str) or not value.strip():
        return None
    return http_url(value.strip().split()[0])
