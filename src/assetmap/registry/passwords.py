"""How strong a curator's password must be: long enough, not the username, and not easy to guess.

Guessability is judged by ``zxcvbn`` (Dropbox's estimator, kept as a package: its lists of common
passwords, names, English words and keyboard patterns, plus the username and this site's words
as things an attacker would try). A password is refused below :data:`MIN_SCORE` (3 of 4: "safely
unguessable: moderate protection from an offline attack"), with zxcvbn's own reason.
"""
from __future__ import annotations

from ..errors import RegistryError

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MIN_SCORE = 3
SCORED_CHARS = 100  # zxcvbn's time grows with length; a strong first 100 characters is a strong password
SITE_WORDS = ["assetmap", "curator", "curate", "admin", "moderator", "community", "asset", "map"]


def check_password(password: str, username: str | None = None) -> str:
    """``password`` if it is acceptable; otherwise :class:`RegistryError` saying why and what to do."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise RegistryError(f"the password is too short; use at least {MIN_PASSWORD} characters (a few words "
                            f"together are easy to remember and hard to guess)")
    if len(password) > MAX_PASSWORD:
        raise RegistryError(f"the password is longer than {MAX_PASSWORD} characters; use a shorter one")
    name = (username or "").strip().lower()
    if name and name in password.lower():
        raise RegistryError("the password contains the username, which is the first thing anyone would try; "
                            "choose one without it")
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:SCORED_CHARS], user_inputs=[name, *SITE_WORDS] if name else SITE_WORDS)
    if result["score"] < MIN_SCORE:
        feedback = result.get("feedback") or {}
        why = (feedback.get("warning") or "it is made of common words, names or patterns").rstrip(".")
        hint = " ".join(feedback.get("suggestions") or []) or "Add another uncommon word or two."
        raise RegistryError(f"the password is too easy to guess: {why[0].lower() + why[1:]}. {hint}")
    return password
