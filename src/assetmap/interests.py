""""What matters to you?": free-text interests and needs mapped to categories and keywords.

The vocabulary is data (``data/interests.toml``, documented there): each interest has the words
and phrases that call it up, the taxonomy categories whose places serve it, and keywords that
find places of any category by name. :meth:`Vocabulary.understand` reads what someone typed —
"lonely, like gardening", "carer", "computer help" — into the interests it names and the words
it did not understand (so the page can say so rather than guess). Matching is on whole words,
case-insensitive, with a final "s" ignored.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .config import DATA_DIR
from .errors import ConfigError
from .taxonomy import Taxonomy

STOPWORDS = frozenset("""a an and or the to of for with in on at i im i'm me my we our us you your like love want
    would need needs some somewhere something near nearby around help find looking place places go going get do
    about more really just also is are be been am can could please any""".split())


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def words_of(text: str) -> list[str]:
    """Lower-case words with a final 's' dropped: 'Gardens, please!' -> ['garden', 'please']."""
    return [_stem(w) for w in re.findall(r"[a-z0-9']+", str(text).lower().replace("'", ""))]


@dataclass(frozen=True)
class Interest:
    key: str
    label: str
    words: tuple[str, ...]
    categories: tuple[str, ...]
    keywords: tuple[str, ...] = ()


@dataclass
class Understood:
    interests: list[Interest] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # words that named nothing

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(c for i in self.interests for c in i.categories))

    @property
    def keywords(self) -> list[str]:
        return list(dict.fromkeys(k for i in self.interests for k in i.keywords))


class Vocabulary:
    def __init__(self, interests: dict[str, Interest]):
        self.interests = interests
        # phrase (as a tuple of stemmed words) -> interest keys, longest phrases first
        phrases: dict[tuple[str, ...], list[str]] = {}
        for key, it in interests.items():
            for w in (*it.words, it.key.replace("_", " ")):
                keys = phrases.setdefault(tuple(words_of(w)), [])
                if key not in keys:
                    keys.append(key)
        self._phrases = sorted(phrases.items(), key=lambda kv: -len(kv[0]))

    def understand(self, text: str) -> Understood:
        tokens = words_of(text)[:40]
        used = [False] * len(tokens)
        found: list[str] = []
        for phrase, keys in self._phrases:
            n = len(phrase)
            for i in range(len(tokens) - n + 1):
                if tuple(tokens[i:i + n]) == phrase and not any(used[i:i + n]):
                    used[i:i + n] = [True] * n
                    found += [k for k in keys if k not in found]
        unknown = [t for t, u in zip(tokens, used, strict=False) if not u and t not in STOPWORDS]
        return Understood([self.interests[k] for k in found], list(dict.fromkeys(unknown)))


def load_vocabulary(taxonomy: Taxonomy, path: str | Path | None = None) -> Vocabulary:
    """Read ``data/interests.toml`` (or ``path``); every category must be in the taxonomy."""
    path = Path(path) if path else DATA_DIR / "interests.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"the interests vocabulary {path} is missing; restore data/interests.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix the line it names") from None
    out = {}
    for key, v in raw.items():
        if not isinstance(v, dict) or not v.get("words") or not (v.get("categories") or v.get("keywords")):
            raise ConfigError(f"{path}: [{key}] needs 'words' and 'categories' (or 'keywords')")
        unknown = [c for c in v.get("categories", []) if c not in taxonomy.categories]
        if unknown:
            raise ConfigError(f"{path}: [{key}] names categories {unknown} that data/taxonomy.toml does not have; "
                              f"use category keys from the taxonomy")
        out[key] = Interest(key, v.get("label", key.replace("_", " ")), tuple(v["words"]),
                            tuple(v.get("categories", [])), tuple(k.lower() for k in v.get("keywords", [])))
    return Vocabulary(out)
