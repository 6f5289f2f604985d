"""scripts/check_sizes.py (make lint): the size limits are measured as stated, and the tree keeps them."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("check_sizes", ROOT / "scripts" / "check_sizes.py")
check_sizes = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_sizes)


def test_long_modules_and_functions_are_reported(tmp_path):
    ok = ["def ok():"] + [f"    x{i} = {i}" for i in range(79)]  # 80 lines: at the limit
    long = ["def too_long():"] + [f"    x{i} = {i}" for i in range(80)]  # 81 lines
    lines = ok + ["", ""] + long + ["# filler"] * (401 - len(ok) - 2 - len(long))
    path = tmp_path / "m.py"
    path.write_text("\n".join(lines) + "\n")
    found = check_sizes.offences(path, "m.py", 400, 80)
    assert found == ["m.py: 401 lines (limit 400)", "m.py:83: function too_long is 81 lines (limit 80)"]
    path.write_text("\n".join(ok) + "\n")
    assert check_sizes.offences(path, "m.py", 400, 80) == []


def test_the_tree_keeps_the_limits(capsys):
    assert check_sizes.main() == 0, capsys.readouterr().out
