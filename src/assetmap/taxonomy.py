"""The asset taxonomy (``data/taxonomy.toml``): families, categories and their OSM tag rules."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .config import DATA_DIR, _read_toml
from .errors import ConfigError

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Condition:
    key: str
    value: str  # "*" for any value
    negate: bool = False

    def holds(self, tags: dict[str, str]) -> bool:
        have = tags.get(self.key)
        if self.negate:
            return have is None or (self.value != "*" and have != self.value)
        if have is None:
            return False
        return self.value == "*" or have == self.value


@dataclass(frozen=True)
class Rule:
    conditions: tuple[Condition, ...]
    text: str

    def matches(self, tags: dict[str, str]) -> bool:
        return all(c.holds(tags) for c in self.conditions)

    @property
    def specificity(self) -> int:
        return len(self.conditions)


@dataclass(frozen=True)
class Family:
    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    family: str
    colour: str
    rules: tuple[Rule, ...]
    aliases: tuple[str, ...]
    match: tuple[str, ...]
    order: int


def parse_rule(text: str, where: str = "") -> Rule:
    conds = []
    for part in text.split("&"):
        part = part.strip()
        m = re.fullmatch(r"([^=!\s]+)\s*(!?=)\s*(.+)", part)
        if not m:
            raise ConfigError(f"{where}: OSM rule {text!r} is not of the form key=value, key=* or a=b & c=d")
        conds.append(Condition(m.group(1), m.group(3).strip(), m.group(2) == "!="))
    return Rule(tuple(conds), text)


class Taxonomy:
    def __init__(self, families: dict[str, Family], categories: dict[str, Category], trust: dict | None = None):
        self.families = families
        self.categories = categories
        self.trust = trust or {}  # the [trust] table: freshness policies and plausibility (assetmap.trust)
        self._alias = {}
        for cat in categories.values():
            self._alias[cat.key] = cat.key
            self._alias[cat.label.lower()] = cat.key
            for a in cat.aliases:
                self._alias[a.lower()] = cat.key
        # keys used by at least one positive condition: the OSM reader keeps only features with one
        self.osm_keys = sorted({c.key for cat in categories.values() for r in cat.rules
                                for c in r.conditions if not c.negate})

    def classify(self, tags: dict[str, str]) -> list[str]:
        """All categories whose rules match ``tags``, primary (most specific, then first listed) first."""
        hits = []
        for cat in self.categories.values():
            best = max((r.specificity for r in cat.rules if r.matches(tags)), default=0)
            if best:
                hits.append((-best, cat.order, cat.key))
        return [k for _, _, k in sorted(hits)]

    def resolve(self, word: str) -> str | None:
        """A category key from a key, label or alias (case-insensitive), or None."""
        return self._alias.get(str(word).strip().lower())

    def family_of(self, category: str) -> str:
        return self.categories[category].family

    def can_merge(self, curated_category: str, other_categories: list[str]) -> bool:
        allowed = self.categories[curated_category].match
        return "*" in allowed or any(c in allowed for c in other_categories)

    def as_dict(self) -> dict:
        """A JSON-ready description for pages and downloads."""
        return {
            "families": {k: {"label": f.label, "colour": f.colour} for k, f in self.families.items()},
            "categories": {
                k: {"label": c.label, "family": c.family, "colour": c.colour,
                    "osm": [r.text for r in c.rules]}
                for k, c in self.categories.items()
            },
        }


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    path = Path(path) if path else DATA_DIR / "taxonomy.toml"
    raw = _read_toml(path)
    families = {}
    for key, f in raw.get("families", {}).items():
        colour = f.get("colour", "#777777")
        if not _COLOUR.match(colour):
            raise ConfigError(f"{path}: family {key} colour {colour!r} must be #rrggbb")
        families[key] = Family(key, f.get("label", key), colour)
    cats = {}
    for order, (key, c) in enumerate(raw.get("categories", {}).items()):
        fam = c.get("family")
        if fam not in families:
            raise ConfigError(f"{path}: category {key} has family {fam!r}; declare [families.{fam}] or use one of "
                              f"{sorted(families)}")
        colour = c.get("colour", families[fam].colour)
        if not _COLOUR.match(colour):
            raise ConfigError(f"{path}: category {key} colour {colour!r} must be #rrggbb")
        rules = tuple(parse_rule(r, f"{path} [categories.{key}]") for r in c.get("osm", []))
        cats[key] = Category(key, c.get("label", key), fam, colour, rules,
                             tuple(c.get("aliases", [])), tuple(c.get("match", [key])), order)
    for cat in cats.values():
        for m in cat.match:
            if m != "*" and m not in cats:
                raise ConfigError(f"{path}: category {cat.key} may match {m!r}, which is not a category")
    if not cats:
        raise ConfigError(f"{path}: no [categories.*] tables; the taxonomy needs at least one category")
    return Taxonomy(families, cats, raw.get("trust", {}))
