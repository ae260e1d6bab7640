"""The engine knows nothing of the web: no flask or webui import anywhere under engine/."""
from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"


def test_engine_imports_no_web_code() -> None:
    offenders = []
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("flask", "flask_login", "webui")]
    assert offenders == []


WEBUI = ENGINE.parent / "webui"


def _python_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.py") if "migrations" not in p.parts and "node_modules" not in p.parts]


def test_web_layer_uses_only_the_front_door() -> None:
    """webui/ (the CLI included) reaches the engine only through names engine/__init__.py exports."""
    import engine

    offenders = []
    for path in _python_files(WEBUI):
        where = path.relative_to(WEBUI.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engine."):
                offenders.append(f"{where}:{node.lineno}: from {node.module} import …")
            elif isinstance(node, ast.ImportFrom) and node.module == "engine":
                offenders += [f"{where}:{node.lineno}: {a.name} is not exported" for a in node.names
                              if a.name not in engine.__all__]
            elif isinstance(node, ast.Import):
                offenders += [f"{where}:{node.lineno}: import {a.name}" for a in node.names
                              if a.name.startswith("engine.")]
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id == "engine" and node.attr not in engine.__all__):
                offenders.append(f"{where}:{node.lineno}: engine.{node.attr} is not exported")
    assert offenders == []


def test_front_door_names_exist() -> None:
    import engine

    assert [name for name in engine.__all__ if not hasattr(engine, name)] == []


def test_modules_and_functions_stay_small() -> None:
    """No module over 400 lines and no function over 40 in engine/ and webui/: past that a module
    holds more than one job and a function more than one idea."""
    too_long = []
    for path in _python_files(ENGINE) + _python_files(WEBUI):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ENGINE.parent)
        if text.count("\n") > 400:
            too_long.append(f"{where}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 40:
                    too_long.append(f"{where}:{node.lineno}: {node.name}() has {length} lines")
    assert too_long == []
