"""Imports among pipelines/ modules run one way: no cycle, imports inside functions included.

The graph is read with `ast`, as the stop hook's check reads it (/work/shared/hooks/before-stop):
a module imports another when it names it or something in it (`import pipelines.x`,
`from pipelines.x import y`); a package's own modules importing it, and `pipelines` itself, are
not edges. An import inside a function must say in a comment, on the line above its block, the
start-up time it buys.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pipelines"


def module_files(package: Path) -> dict[str, Path]:
    modules = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imported_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
    return []


def import_graph(package: Path) -> dict[str, set[str]]:
    modules = module_files(package)
    root = package.name

    def owner(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    edges: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for name in imported_names(node):
                target = owner(name) if name.startswith(root) else ""
                if target and target not in (module, root) and not module.startswith(target + "."):
                    edges[module].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (each a ring of imports)."""

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in edges[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reached = {m: reach(m) for m in edges}
    rings, done = [], set()
    for module in sorted(edges):
        if module in done or module not in reached[module]:
            continue
        ring = sorted(m for m in reached[module] if module in reached[m])
        done.update(ring)
        rings.append(ring)
    return rings


def uncommented_function_imports(package: Path) -> list[str]:
    """Package imports inside functions whose block of imports has no comment on the line above."""
    missing = set()
    for path in sorted(package.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        functions = [
            node
            for node in ast.walk(ast.parse("\n".join(lines)))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        blocks = [
            getattr(node, field)
            for function in functions
            for node in ast.walk(function)
            for field in ("body", "orelse", "finalbody")
            if node is not function or field == "body"
            if isinstance(getattr(node, field, None), list)
        ]
        for statements in blocks:
            commented = False
            previous_was_import = False
            for statement in statements:
                is_import = isinstance(statement, ast.Import | ast.ImportFrom)
                if is_import and not previous_was_import:
                    commented = lines[statement.lineno - 2].strip().startswith("#")
                names = imported_names(statement) if is_import else []
                if any(n.startswith(package.name + ".") for n in names) and not commented:
                    missing.add(f"{path.relative_to(package.parent)}:{statement.lineno}")
                previous_was_import = is_import
    return sorted(missing)


def test_no_import_cycle_among_pipelines_modules():
    assert cycles(import_graph(PACKAGE)) == []


def test_imports_inside_functions_say_why():
    assert uncommented_function_imports(PACKAGE) == []


def test_the_check_finds_a_cycle_through_a_function_import(tmp_path):
    package = tmp_path / "pipelines"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pipelines.sub.b import thing\n")
    (package / "sub" / "b.py").write_text("def thing():\n    from pipelines import a\n")
    (package / "c.py").write_text("import pipelines.a\n")
    assert cycles(import_graph(package)) == [["pipelines.a", "pipelines.sub.b"]]
    assert uncommented_function_imports(package) == ["pipelines/sub/b.py:2"]
