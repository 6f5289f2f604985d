"""The documentation stays true to the code where it quotes what the code defines.

README.md and docs/*.md are checked against the argparse parser (commands and options), the
settings and ``ASSETMAP_*`` variables the code reads, the area-file tables the config accepts, the
build's stage names, the benchmark scripts and module files that exist, and their own links.
"""
from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

import pytest

from assetmap import config as area_config
from assetmap.cli import parser as cli_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
CODE_DIRS = ("src", "app")  # the library and the web layer (wherever the web package lives)
ENV_VAR = re.compile(r"\bASSETMAP_[A-Z0-9_]*[A-Z0-9]\b")
PATH_PREFIXES = ("src/", "app/", "tests/", "bench/", "scripts/", "docs/", "data/", "labels/")
GENERATED = ("app/static/vendor",)  # made by `make setup` (git-ignored)
FILE_SUFFIX = r"\.(css|js|json|svg|png|csv|md|html|toml|lua|txt|gpkg|geojson|parquet|sqlite)$"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _code_files(dirs=CODE_DIRS, suffixes=(".py",)):
    for d in dirs:
        base = ROOT / d
        if base.is_dir():
            yield from (p for p in sorted(base.rglob("*")) if p.suffix in suffixes and p.is_file())


def _code_text(dirs=CODE_DIRS) -> str:
    return "\n".join(_text(p) for p in _code_files(dirs))


def _section(text: str, heading: str) -> str:
    """The text under a ``## heading`` up to the next heading of the same or a higher level."""
    m = re.search(rf"^(#+) {re.escape(heading)}\s*$", text, re.M)
    assert m, f"no heading {heading!r}"
    level = len(m.group(1))
    rest = text[m.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[: end.start() if end else len(rest)]


def _table_first_cells(text: str) -> list[str]:
    """The first cell of every body row of the markdown tables in ``text``."""
    cells = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"^\|\s*-", line):
            cells.append(re.split(r"(?<!\\)\|", line)[1].strip())
    return cells


# --- the command line -------------------------------------------------------------------------

def _subparsers(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _commands() -> dict[str, argparse.ArgumentParser]:
    """Every leaf command: ``build``, ``db upgrade`` … mapped to its parser."""
    out = {}
    for name, sub in _subparsers(cli_parser()).items():
        nested = _subparsers(sub)
        if nested:
            out.update({f"{name} {n}": s for n, s in nested.items()})
        else:
            out[name] = sub
    return out


def _options(p: argparse.ArgumentParser) -> set[str]:
    return {o for a in p._actions for o in a.option_strings if o not in ("-h", "--help")}


def _documented_commands() -> dict[str, set[str]]:
    """From docs/cli.md: each command in a table's first cell, with the options that synopsis names."""
    known = _commands()
    found: dict[str, set[str]] = {}
    for cell in _table_first_cells(_text(DOCS / "cli.md")):
        m = re.match(r"`assetmap ([a-z-]+)(?: ([a-z][a-z-]*))?", cell)
        if not m:
            continue
        name = m.group(1) if m.group(1) in known or not m.group(2) else f"{m.group(1)} {m.group(2)}"
        opts = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", cell))
        found.setdefault(name, set()).update(opts)
    return found


def test_every_documented_command_and_option_exists():
    commands = _commands()
    documented = _documented_commands()
    assert documented, "docs/cli.md has no command table"
    for name, opts in documented.items():
        assert name in commands, f"docs/cli.md documents `assetmap {name}`, which the parser does not have"
        unknown = opts - _options(commands[name])
        assert not unknown, f"docs/cli.md gives `assetmap {name}` options it does not take: {sorted(unknown)}"


def test_every_command_and_option_is_documented():
    documented = _documented_commands()
    for name, p in _commands().items():
        assert name in documented, f"`assetmap {name}` is not in docs/cli.md's tables"
        missing = _options(p) - documented[name]
        assert not missing, f"docs/cli.md's synopsis of `assetmap {name}` lacks {sorted(missing)}"
    top = _options(cli_parser())
    missing = {o for o in top if o not in _text(DOCS / "cli.md")}
    assert not missing, f"docs/cli.md does not mention the global option(s) {sorted(missing)}"


# --- settings and environment variables -------------------------------------------------------

def test_documented_settings_exist():
    code = _code_text()
    table = _section(_text(DOCS / "configuration.md"), "App settings")
    keys = [re.match(r"`([A-Z_]+)`", c).group(1) for c in _table_first_cells(table)[1:] if c.startswith("`")]
    assert len(keys) > 10, "the App settings table was not found"
    missing = [k for k in keys if f'"{k}"' not in code]
    assert not missing, f"docs/configuration.md documents settings the code never names: {missing}"


def test_settings_the_app_reads_are_documented():
    reads = set(re.findall(r"config(?:\.get\(|\[)\s*\"([A-Z][A-Z0-9_]+)\"", _code_text()))
    assert reads, "no app.config reads found"
    doc = _text(DOCS / "configuration.md")
    missing = sorted(k for k in reads if f"`{k}`" not in doc)
    assert not missing, f"settings read by the code but not in docs/configuration.md: {missing}"


def _env_vars_read() -> set[str]:
    files = [p for p in _code_files((*CODE_DIRS, "scripts", "bench", "tests"), (".py", ".sh", ".lua"))
             if p.name != Path(__file__).name]
    files.append(ROOT / "Makefile")
    return {v for p in files for v in ENV_VAR.findall(_text(p))}


def test_documented_env_vars_exist():
    read = _env_vars_read()
    for page in ("configuration.md", "serving.md", "security.md", "registry.md", "development.md"):
        unknown = set(ENV_VAR.findall(_text(DOCS / page))) - read
        assert not unknown, f"docs/{page} names variables no code reads: {sorted(unknown)}"
    unknown = set(ENV_VAR.findall(_text(ROOT / "README.md"))) - read
    assert not unknown, f"README.md names variables no code reads: {sorted(unknown)}"


def test_every_env_var_is_documented():
    documented = set(ENV_VAR.findall(_text(DOCS / "configuration.md")))
    missing = _env_vars_read() - documented
    assert not missing, f"ASSETMAP_* variables read by the code but not in docs/configuration.md: {sorted(missing)}"


# --- the area file ----------------------------------------------------------------------------

def _toml_blocks(page: Path) -> list[dict]:
    return [tomllib.loads(b) for b in re.findall(r"```toml\n(.*?)```", _text(page), re.S)]


@pytest.mark.parametrize("table, settings", [("walking", area_config.WalkSettings),
                                              ("merge", area_config.MergeSettings),
                                              ("gaps", area_config.GapSettings),
                                              ("compute", area_config.ComputeSettings)])
def test_area_file_tables_are_complete_and_valid(table, settings):
    blocks = [b[table] for b in _toml_blocks(DOCS / "configuration.md") if table in b]
    assert blocks, f"docs/configuration.md has no [{table}] example"
    keys = set().union(*blocks)
    fields = set(settings.__dataclass_fields__)
    assert keys == fields, (f"docs/configuration.md's [{table}]: missing {sorted(fields - keys)}, "
                            f"unknown {sorted(keys - fields)}")
    for b in blocks:
        settings.from_dict(b, "docs/configuration.md")  # raises on a bad value


def test_area_file_example_has_known_top_level_tables():
    example = next(b for b in _toml_blocks(DOCS / "configuration.md") if "area" in b)
    assert set(example) <= {"area", "osm", "options", "sources", "walking", "merge", "gaps"}
    options = set(example["options"])
    cfg_fields = set(area_config.AreaConfig.__dataclass_fields__)
    assert options <= cfg_fields, f"[options] keys the config does not have: {sorted(options - cfg_fields)}"


# --- the pipeline and the benchmarks ----------------------------------------------------------

def test_build_stages_are_the_documented_ones():
    stages = set(re.findall(r"\.stage\(\s*\"(\w+)\"", _code_text(("src",))))
    assert stages, "no build stages found in src/"
    table = _section(_text(DOCS / "pipeline.md"), "The stages")
    documented = {c.strip("`") for c in _table_first_cells(table)[1:]}
    assert documented == stages, (f"docs/pipeline.md's stages: missing {sorted(stages - documented)}, "
                                  f"not in the code {sorted(documented - stages)}")


def test_every_benchmark_script_is_described():
    doc = _text(DOCS / "benchmarks.md")
    scripts = [p for p in sorted((ROOT / "bench").iterdir()) if p.suffix in (".py", ".lua")]
    missing = [p.name for p in scripts if f"bench/{p.name}" not in doc]
    assert not missing, f"bench scripts not described in docs/benchmarks.md: {missing}"


def test_module_lists_match_the_files():
    text = _section(_text(DOCS / "development.md"), "Layout in detail")
    packages = ["src/assetmap", *(f"src/assetmap/{p.name}" for p in sorted((ROOT / "src/assetmap").iterdir())
                                  if (p / "__init__.py").is_file())]
    for package in packages:
        m = re.search(rf"- `{package}/`:(.*?)\n- ", text, re.S)
        assert m, f"docs/development.md has no list of {package}/"
        listed = set(re.findall(r"`([a-z_]+)/?`", m.group(1)))
        base = ROOT / package
        files = {p.stem for p in base.glob("*.py") if p.stem != "__init__"}
        files |= {p.name for p in base.iterdir() if (p / "__init__.py").exists() or p.name == "migrations"}
        files -= {"registry"} if package == "src/assetmap" else set()
        assert listed == files, (f"docs/development.md's {package}/ list: missing {sorted(files - listed)}, "
                                 f"not in the tree {sorted(listed - files)}")


# --- links, paths, length ---------------------------------------------------------------------

def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", _text(page), flags=re.S)
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page):
    text = re.sub(r"```.*?```", "", _text(page), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        assert dest.exists(), f"{page.name}: link to {target} goes nowhere"
        if anchor and dest.suffix == ".md":
            assert anchor in _anchors(dest), f"{page.name}: link to {target}: no such heading in {dest.name}"


def _module_file(dotted: str) -> tuple[Path | None, list[str]]:
    """The file of the longest module prefix of ``assetmap.x.y`` / ``registry.x`` / ``app.x``, and the rest."""
    parts = dotted.split(".")
    roots = {"assetmap": ROOT / "src/assetmap", "registry": ROOT / "src/assetmap/registry", "app": ROOT / "app"}
    base = roots[parts[0]]
    for i in range(len(parts), 0, -1):
        p = base.joinpath(*parts[1:i])
        if p.with_suffix(".py").is_file() and i > 1:
            return p.with_suffix(".py"), parts[i:]
        if (p / "__init__.py").is_file():
            return p / "__init__.py", parts[i:]
    return None, parts


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_repository_paths_and_modules_named_exist(page):
    module_names = {p.name for p in _code_files()}
    for token in re.findall(r"`([^`\s]+)`", _text(page)):
        if re.search(r"[<>*{}]", token) or token.startswith(GENERATED):
            continue
        if token.startswith(PATH_PREFIXES):
            path = token.split(":")[0]
            assert (ROOT / path).exists(), f"{page.name} names {path}, which does not exist"
        elif re.fullmatch(r"[a-z_]+\.py", token):
            assert token in module_names, f"{page.name} names the module {token}, which is in neither src/ nor app/"
        elif re.fullmatch(r"(assetmap|registry|app)(\.[A-Za-z_]+)+", token) and not re.search(FILE_SUFFIX, token):
            file, rest = _module_file(token)
            assert file, f"{page.name} names {token}, which is no module"
            assert all(re.search(rf"\b{r}\b", _text(file)) for r in rest[:1]), f"{page.name}: {token} not in {file}"


def test_readme_is_a_page_and_starts_with_the_two_commands():
    text = _text(ROOT / "README.md")
    assert len(text.splitlines()) < 150, "README.md is 150 lines or more: move detail into docs/"
    first = re.search(r"```sh\n(.*?)```", text, re.S)
    assert first and text.index(first.group(0)) < 40, "README.md must open with the commands"
    lines = [line.split("#")[0].strip() for line in first.group(1).splitlines()]
    assert lines == ["make demo", "make test"]
