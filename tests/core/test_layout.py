"""The shape of the core: small signatures, imports at the top, a search that knows nothing of vectors."""

from __future__ import annotations

import ast
import pathlib
import re

import align.core

CORE = pathlib.Path(align.core.__file__).parent
MODULES = sorted(CORE.glob("*.py"))


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_no_function_of_the_core_takes_more_than_six_positional_parameters():
    wide = []
    for path in MODULES:
        for f in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.arg for a in f.args.posonlyargs + f.args.args]
            n = len(names) - (names[:1] in (["self"], ["cls"]))
            if n > 6:
                wide.append(f"{path.name}:{f.lineno} {f.name} ({n})")
    assert wide == []


def test_the_core_imports_at_the_top_only():
    inner = []
    for path in MODULES:
        for f in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            inner += [f"{path.name}:{n.lineno}" for n in ast.walk(f) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert inner == []


def _imports(name: str) -> set[str]:
    tree = ast.parse((CORE / f"{name}.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    return imported | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}


def test_the_search_knows_nothing_of_the_rest_of_the_package():
    """The search imports only its compiled kernels, and they import nothing of the package but their C part."""
    assert {m for m in _imports("kernels") if m.startswith("align")} == {"align.core._kernels"}, _imports("kernels")
    compiled = (CORE / "_kernels.pyx").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|c?import)\s+align", compiled, re.M)
    assert {m for m in _imports("search") if m.startswith("align")} <= {"align.core.kernels"}, _imports("search")


def test_the_public_surface():
    assert set(align.core.__all__) == {
        "AlignParams", "align_documents", "align_segments", "prepare_vectors", "score_matrix", "signature"
    }
    assert all(callable(getattr(align.core, name)) for name in align.core.__all__)


# the reading order of align/core/__init__.py: each module imports only modules before it
ORDER = ["_kernels", "kernels", "search", "params", "vectors", "lexical", "side", "members", "scores", "explain", "find", "paragraphs",
         "reorder", "aligner", "warm"]


def test_each_core_module_imports_only_the_modules_before_it():
    assert sorted(ORDER) == sorted([p.stem for p in MODULES if p.stem != "__init__"] + ["_kernels"])
    later = []
    for k, name in enumerate(ORDER):
        if name == "_kernels":  # Cython: its imports are checked by the test above
            continue
        tree = ast.parse((CORE / f"{name}.py").read_text(encoding="utf-8"))
        modules = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        for module in modules:
            if module.startswith("align.core.") and module.split(".")[2] not in ORDER[:k]:
                later.append(f"{name} imports {module}")
    assert later == []
