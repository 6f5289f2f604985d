"""Postcodes: normalising, refusing malformed ones, the geocoder."""
import pandas as pd
import pytest

from assetmap.errors import MalformedPostcodeError, UnknownPostcodeError
from assetmap.ingest.postcodes import Geocoder, normalise, normalise_series


@pytest.mark.parametrize("raw, canon", [("s401lp", "S40 1LP"), (" S40  1LP ", "S40 1LP"), ("sw1a1aa", "SW1A 1AA"),
                                         ("LE15-6AY", "LE15 6AY"), ("m1 1ae", "M1 1AE"), ("gir0aa", "GIR 0AA")])
def test_normalise(raw, canon):
    assert normalise(raw) == canon


@pytest.mark.parametrize("raw", ["", "   ", "hello", "S40", "S40 1L", "12345", "S40 1LPX", "<script>"])
def test_malformed(raw):
    with pytest.raises(MalformedPostcodeError) as e:
        normalise(raw)
    assert e.value.status == 400 and "postcode" in str(e.value)


def test_series_and_geocoder():
    g = Geocoder(pd.DataFrame({"postcode": ["S40 1LP"], "x": [437985.0], "y": [371228.0]}), scope="test")
    assert g.locate("s40 1lp") == ("S40 1LP", 437985.0, 371228.0)
    with pytest.raises(UnknownPostcodeError) as e:
        g.locate("S40 9ZZ")
    assert e.value.status == 404 and "S40 9ZZ" in str(e.value)
    got = g.locate_many(pd.Series(["s401lp", "bad", None]))
    assert got["postcode"].iloc[0] == "S40 1LP" and got["x"].iloc[0] == 437985.0
    assert got["x"].isna().iloc[1:].all()
    assert normalise_series(pd.Series(["le156ay", "x"])).tolist()[0] == "LE15 6AY"
