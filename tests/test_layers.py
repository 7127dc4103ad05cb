"""The shape of `thesis_lib`: imports point one way (files and provenance → data → models → sources → measures →
presentation), no cycle, and no measure runs a model. Read from the source with `ast`, function-level imports too."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "thesis_lib"
LAYERS = {
    "ground": {"config", "errors", "files", "sampling"},
    # shipped returns vocabularies with the weights, so it sits with the data it loads, not below it
    "data": {"corpus", "parsing", "encoding", "notation", "meter", "theory", "shipped"},
    "models": {"lstm", "markov", "gan", "gan_data", "gan_improved", "seqgan", "collapse", "scoring", "checkpoint"},
    "sources": {"sources"},
    "measures": {"metrics", "evaluation"},
    "presentation": {"render", "plots", "panel", "survey", "survey_store", "survey_app", "notebook", "series", "cli",
                     "cli_models"},
}
ORDER = list(LAYERS)
LAYER_OF = {m: layer for layer, mods in LAYERS.items() for m in mods}


def imports_of(path: Path) -> set[str]:
    """thesis_lib modules a file imports (relative `from .x import` or `thesis_lib.x`), anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(a.name for a in node.names)
            elif node.module and node.module.startswith("thesis_lib."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("thesis_lib."))
    return found - {"__init__"}


GRAPH = {p.stem: imports_of(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}


def test_every_module_has_a_layer():
    assert set(GRAPH) <= set(LAYER_OF), set(GRAPH) - set(LAYER_OF)


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down(module):
    up = {m for m in GRAPH[module] if ORDER.index(LAYER_OF[m]) > ORDER.index(LAYER_OF[module])}
    assert not up, f"{module} ({LAYER_OF[module]}) imports {up} from a layer above"


def test_no_measure_imports_a_model():
    for module in LAYERS["measures"] & set(GRAPH):
        assert not GRAPH[module] & LAYERS["models"], module


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


def test_no_module_passes_400_lines_by_much():
    long = {p.name: n for p in PACKAGE.glob("*.py") if (n := len(p.read_text().splitlines())) > 450}
    assert not long, long
