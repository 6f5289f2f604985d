"""Categorising an Open Referral UK / HSDS service (see ``data/oruk_terms.toml``).

In order: the service's taxonomy terms against the taxonomy's own keys, labels and aliases; the
terms against the vocabularies real UK feeds use (the LGA's esd Services/Needs/Activities lists and
the OpenActive activity list, by label); the taxonomy's labels and aliases as phrases of the
service's name; the interests vocabulary (``data/interests.toml``, :mod:`assetmap.interests`) on
its name, then on its description; else :data:`OTHER`. A service is never refused for lack of a
category. Each answer says how it was found, for the import report.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from ..config import DATA_DIR
from ..errors import ConfigError
from ..interests import Vocabulary, load_vocabulary, words_of
from ..taxonomy import Taxonomy

OTHER = "other_activity"
# categories that are themselves services or groups: preferred, among an interest's categories, for a
# service (a "children" service is more likely childcare than a playground)
SERVICE_LIKE = ("support_group", "lunch_club", "food_bank", "timebank", "mens_shed", "warm_space", "social_centre",
                "youth_centre", "childcare", "community_cafe", "social_facility")


def _key(text: str) -> str:
    return " ".join(words_of(text))


def load_term_map(taxonomy: Taxonomy, path: str | Path | None = None) -> dict[str, tuple[str, str]]:
    """``{normalised label: (category, vocabulary)}`` from ``data/oruk_terms.toml`` (or ``path``)."""
    path = Path(path) if path else DATA_DIR / "oruk_terms.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path} ({exc}); restore data/oruk_terms.toml or fix the line it names") \
            from None
    out: dict[str, tuple[str, str]] = {}
    for vocab, terms in raw.items():
        for label, category in terms.items():
            if category not in taxonomy.categories:
                raise ConfigError(f"{path}: [{vocab}] {label!r} names category {category!r}, which "
                                  f"data/taxonomy.toml does not have; use a category key from the taxonomy")
            out.setdefault(_key(label), (category, vocab))
    return out


class Categoriser:
    """A service's category from its taxonomy terms, name and description."""

    def __init__(self, taxonomy: Taxonomy, vocabulary: Vocabulary | None = None,
                 term_map: dict[str, tuple[str, str]] | None = None):
        self.taxonomy = taxonomy
        self.vocabulary = vocabulary or load_vocabulary(taxonomy)
        self.term_map = term_map if term_map is not None else load_term_map(taxonomy)
        names = {a: c.key for c in taxonomy.categories.values() for a in (c.label.lower(), *c.aliases)}
        self._phrases = sorted(((tuple(words_of(a)), k) for a, k in names.items()), key=lambda p: -len(p[0]))

    def _in_name(self, name: str) -> str | None:
        tokens = words_of(name)
        for phrase, key in self._phrases:
            n = len(phrase)
            if n and any(tuple(tokens[i:i + n]) == phrase for i in range(len(tokens) - n + 1)):
                return key
        return None

    def categorise(self, terms: list[dict], name: str | None, description: str | None) -> tuple[str, str]:
        """``(category, how it was found)``."""
        words = [w for t in terms for w in (t.get("term"), t.get("name"), t.get("code"))
                 if isinstance(w, str) and w.strip()]
        for w in words:
            if key := self.taxonomy.resolve(w):
                return key, f"taxonomy term {w.strip()!r}"
        for w in words:
            if hit := self.term_map.get(_key(w)):
                return hit[0], f"{hit[1]} term {w.strip()!r}"
        if name and (key := self._in_name(name)):
            return key, "name"
        for field, text in (("name", name), ("description", description)):
            if isinstance(text, str) and text.strip():
                found = self.vocabulary.understand(text)
                if found.categories:
                    best = next((c for c in found.categories if c in SERVICE_LIKE), found.categories[0])
                    return best, f"{field} (interest {found.interests[0].key!r})"
        return OTHER, "nothing matched: kept as other activity"
