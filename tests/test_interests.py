"""The "what matters to you?" vocabulary (data/interests.toml): every category exists, and plain
words map to the interests a link worker would expect."""
from __future__ import annotations

import pytest

from assetmap.errors import ConfigError
from assetmap.interests import load_vocabulary, words_of
from assetmap.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary(load_taxonomy())


@pytest.mark.parametrize("text, keys", [
    ("company", ["company"]), ("I'm lonely", ["company"]), ("gardening", ["gardening"]), ("carer", ["carer"]),
    ("music", ["music"]), ("exercise", ["exercise"]), ("food", ["food"]), ("faith", ["faith"]),
    ("computer help", ["computer_help"]), ("Lonely, and I love Gardens!", ["company", "gardening"]),
    ("somewhere warm please", ["warmth"]), ("men's shed", ["making_fixing"]),
])
def test_plain_words_find_interests(vocab, text, keys):
    got = vocab.understand(text)
    assert [i.key for i in got.interests] == keys and got.unknown == []


def test_words_it_does_not_know_are_reported_not_guessed(vocab):
    got = vocab.understand("xylophone lessons")
    assert got.interests == [] and got.unknown == ["xylophone", "lesson"]
    assert words_of("Gardens, please!") == ["garden", "please"]


def test_every_category_is_in_the_taxonomy_and_bad_files_name_the_fix(tmp_path):
    tx = load_taxonomy()
    vocab = load_vocabulary(tx)
    assert all(c in tx.categories for i in vocab.interests.values() for c in i.categories)
    bad = tmp_path / "interests.toml"
    bad.write_text('[x]\nwords = ["x"]\ncategories = ["spaceport"]\n')
    with pytest.raises(ConfigError, match="spaceport.*use category keys"):
        load_vocabulary(tx, bad)
