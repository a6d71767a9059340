"""The layers of docs/ARCHITECTURE.md, checked on the source: no import loop in frontline/
and components/, no component that imports the command line, no Streamlit or folium in the
library, one exception tree, no module of the library over 600 lines; and the README's
examples name nothing a clone lacks."""

from __future__ import annotations

import ast
import builtins
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPO_ROOT

PACKAGES = ("frontline", "components")
MAX_LIBRARY_LINES = 600
COMMAND_LINE = frozenset(
    {
        "frontline.cli",
        "frontline.cli_library",
        "frontline.cli_feeds",
        "frontline.cli_batch",
        "frontline.cli_common",
        "frontline.__main__",
    }
)


def module_files() -> dict[str, Path]:
    """Every module of the project's packages by dotted name (a package by its name)."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            parts = path.relative_to(REPO_ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that runs: at the top, in functions, in classes; not under
    ``if TYPE_CHECKING:`` (those are for the type checker, never executed)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking_block(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports (``from frontline import service`` counts as
    ``frontline.service``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import loops of ``graph``: its strongly connected components of more than one
    module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for neighbour in sorted(graph.get(node, ())):
            if neighbour not in index:
                visit(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in on_stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_walker_sees_a_loop_and_a_hidden_import() -> None:
    """The checks below are only as good as the walker: it finds a loop made by an import
    inside a function, and skips imports that never run."""
    source = "def f():\n    from frontline import b\n"
    tree = ast.parse(source)
    assert [node.module for node in _import_nodes(tree)] == ["frontline"]  # type: ignore[union-attr]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    guarded = ast.parse("if TYPE_CHECKING:\n    import frontline.cli\n")
    assert list(_import_nodes(guarded)) == []


def test_no_import_loop_in_the_library_or_the_components() -> None:
    graph = import_graph()
    assert "frontline.service" in graph["frontline.cli"]
    assert cycles(graph) == []


def test_no_component_imports_the_command_line() -> None:
    graph = import_graph()
    offending = {
        name: sorted(graph[name] & COMMAND_LINE)
        for name in graph
        if name.startswith("components") and graph[name] & COMMAND_LINE
    }
    assert offending == {}


def test_the_library_never_imports_streamlit_or_folium() -> None:
    for name, path in module_files().items():
        if not name.startswith("frontline"):
            continue
        for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            for imported in names:
                root = imported.split(".")[0]
                assert root not in {"streamlit", "folium", "streamlit_folium"}, (name, imported)


def test_every_exception_of_the_library_is_in_errors_py() -> None:
    from frontline import errors

    tree_names = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }
    for name, path in module_files().items():
        if not name.startswith("frontline") or name == "frontline.errors":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {base.id for base in node.bases if isinstance(base, ast.Name)}
            bases |= {base.attr for base in node.bases if isinstance(base, ast.Attribute)}
            exceptions = {
                base
                for base in bases
                if base in tree_names
                or base.endswith(("Error", "Exception"))
                or (
                    isinstance(getattr(builtins, base, None), type)
                    and issubclass(getattr(builtins, base), BaseException)
                )
            }
            assert not exceptions, f"{name}.{node.name} is an exception outside errors.py"


@pytest.mark.parametrize("path", sorted((REPO_ROOT / "frontline").rglob("*.py")), ids=str)
def test_no_library_module_is_over_600_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LIBRARY_LINES, f"{path.relative_to(REPO_ROOT)}: {lines} lines"


def readme_commands() -> list[list[str]]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    commands: list[list[str]] = []
    for block in re.findall(r"```bash\n(.*?)```", readme, flags=re.S):
        variables: dict[str, str] = {}
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            assignment = re.fullmatch(r"([A-Z_]+)=(\S+)", line)
            if assignment:
                variables[assignment.group(1)] = assignment.group(2)
                continue
            for variable, value in variables.items():
                line = line.replace(f"${variable}", value)
            if "python -m frontline" in line:
                commands.append(shlex.split(line))
    return commands


def test_the_readme_examples_name_only_what_a_clone_has() -> None:
    """Every file or folder a README command names is in the repository (or is made up
    by the example: a URL, a placeholder in capitals); nothing points at ../shared."""
    commands = readme_commands()
    assert len(commands) >= 8
    for words in commands:
        for word in words:
            assert "../shared" not in word, words
            if "/" in word and not word.startswith(("http", "-", ".venv/")) and "|" not in word:
                matches = list(REPO_ROOT.glob(word)) if "*" in word else [REPO_ROOT / word]
                assert matches and all(path.exists() for path in matches), (word, words)
