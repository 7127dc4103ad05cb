"""The shape of `thesis_lib`, read from its folders: each subpackage is a layer (`thesis_lib.LAYERS` gives their
order, lowest first), a module imports only from its own folder or the folders before it, there is no cycle, and
no measure runs a model. Imports are read from the source with `ast`, function-level ones too; an import under
`if TYPE_CHECKING:` names a type and is not one."""

import ast
from pathlib import Path

import pytest

import thesis_lib

PACKAGE = Path(thesis_lib.__file__).resolve().parent
ORDER = list(thesis_lib.LAYERS)


def modules() -> dict[str, Path]:
    """`layer.module` -> file, for every module of every subpackage."""
    return {f"{p.parent.name}.{p.stem}": p for p in PACKAGE.glob("*/*.py") if p.stem not in ("__init__", "__main__")}


def _type_only(node) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(path: Path) -> set[str]:
    """The `layer.module`s (or bare `layer`s, for `from .. import layer`) that a file imports, anywhere in it."""
    here = path.parent.name
    found = set()

    def visit(node):
        if _type_only(node):
            return
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] == "thesis_lib" and len(parts) > 1:
                    found.add(".".join(parts[1:3]) if len(parts) > 2 else parts[1])
                    found.update(f"{parts[1]}.{a.name}" for a in node.names if len(parts) == 2)
            else:
                base = here if node.level == 1 else None
                mod = (node.module or "").split(".")
                if node.level == 2 and mod[0]:
                    found.add(".".join(mod[:2]) if len(mod) > 1 else mod[0])
                    found.update(f"{mod[0]}.{a.name}" for a in node.names if len(mod) == 1)
                elif node.level == 2:
                    found.update(a.name for a in node.names)
                elif base and mod[0]:
                    found.add(f"{base}.{mod[0]}")
                elif base:
                    found.update(f"{base}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "thesis_lib" and len(parts) > 1:
                    found.add(".".join(parts[1:3]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text()))
    known = set(modules()) | set(ORDER)
    return {m for m in found if m in known} - {f"{here}.{path.stem}"}


GRAPH = {name: imports_of(path) for name, path in modules().items()}


def layer(name: str) -> str:
    return name.split(".")[0]


def test_every_folder_is_a_layer_and_every_module_sits_in_one():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders == set(ORDER), folders ^ set(ORDER)
    assert not [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"], "modules outside the layers"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down(module):
    up = {m for m in GRAPH[module] if ORDER.index(layer(m)) > ORDER.index(layer(module))}
    assert not up, f"{module} imports {up} from a layer above"


def test_no_measure_imports_a_model():
    for module, deps in GRAPH.items():
        if layer(module) == "measures":
            assert not {d for d in deps if layer(d) == "models"}, module


def test_no_import_cycle():
    seen, stack = set(), []

    def visit(m):
        if m in stack:
            raise AssertionError(" -> ".join(stack[stack.index(m):] + [m]))
        if m in seen:
            return
        stack.append(m)
        for n in sorted(GRAPH.get(m, ())):
            visit(n)
        stack.pop()
        seen.add(m)

    for module in sorted(GRAPH):
        visit(module)


def test_the_reader_sees_imports_of_every_kind():
    """A control for the reader itself: relative imports from this folder and the one below, a function-level
    import, and a type-only import that does not count."""
    deps = GRAPH["render.write"]
    assert {"core.config", "data.melody", "data.notation", "render.audio"} <= deps, deps
    assert "data.melody" not in GRAPH["data.notation"]  # under TYPE_CHECKING only


def test_only_the_backend_imports_keras():
    for name, path in modules().items():
        if name == "core.backend":
            continue
        tree = ast.parse(path.read_text())
        keras = [n for n in ast.walk(tree)
                 if isinstance(n, ast.Import) and any(a.name.split(".")[0] == "keras" for a in n.names)
                 or isinstance(n, ast.ImportFrom) and n.level == 0 and (n.module or "").split(".")[0] == "keras"]
        assert not keras, f"{name} imports keras itself; take it from core.backend (quiet, one backend)"


def test_no_module_passes_400_lines_by_much():
    long = {p.name: n for p in PACKAGE.glob("*/*.py") if (n := len(p.read_text().splitlines())) > 450}
    assert not long, long
