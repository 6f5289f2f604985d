"""The assetmap command line: build, lookup and the errors it explains."""
from assetmap.cli import main


def test_cli_build_lookup_and_errors(tmp_path, capsys, synthtown):
    _, _, cfg = synthtown
    assert main(["build", str(cfg), "--build-root", str(tmp_path)]) == 0
    assert "2 LSOAs" in capsys.readouterr().out
    assert main(["lookup", "ZZ1 2AB", "--build-root", str(tmp_path), "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ZZ1 2AB (Synthtown), nearest on foot:") and "Lunch <script>" in out
    assert main(["lookup", "not-a-postcode", "--build-root", str(tmp_path)]) == 2
    assert "is not a UK postcode" in capsys.readouterr().err
    assert main(["build", "atlantis"]) == 2
    assert "known areas" in capsys.readouterr().err
    assert main(["lookup", "S40 1LP", "--build-root", str(tmp_path / "none")]) == 2
    assert "assetmap build" in capsys.readouterr().err
