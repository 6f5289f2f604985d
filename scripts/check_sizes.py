"""Size limits (issue 16): no module over 400 lines in src/ and app/, no function over 80 lines.

Functions are measured with the AST, from the ``def`` line (decorators excluded) to the last line of
the body, nested functions counted within their parent and on their own. Limits and temporary
exemptions live in pyproject.toml under ``[tool.assetmap.sizes]``. Exit status 1 when any limit is
exceeded, with one line per offence.
"""
from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def settings() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        conf = tomllib.load(f).get("tool", {}).get("assetmap", {}).get("sizes", {})
    return {"paths": conf.get("paths", ["src", "app"]), "max_module_lines": conf.get("max-module-lines", 400),
            "max_function_lines": conf.get("max-function-lines", 80), "exempt": set(conf.get("exempt", []))}


def offences(path: Path, rel: str, max_module: int, max_function: int) -> list[str]:
    text = path.read_text(encoding="utf-8")
    out = []
    n = len(text.splitlines())
    if n > max_module:
        out.append(f"{rel}: {n} lines (limit {max_module})")
    for node in ast.walk(ast.parse(text, filename=rel)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > max_function:
                out.append(f"{rel}:{node.lineno}: function {node.name} is {length} lines (limit {max_function})")
    return out


def main(argv: list[str] | None = None) -> int:
    s = settings()
    found = []
    for top in s["paths"]:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in s["exempt"]:
                continue
            found += offences(path, rel, s["max_module_lines"], s["max_function_lines"])
    for line in found:
        print(line)
    if not found:
        print(f"sizes ok: no module over {s['max_module_lines']} lines, no function over "
              f"{s['max_function_lines']} lines in {', '.join(s['paths'])}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
