"""DESIGN.md's layers, checked on the import statements of every module in src/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "glitchcart"

# layer -> the glitchcart packages/modules it may import
ALLOWED: dict[str, set[str]] = {
    "core": {"core", "errors"},
    "ports": {"core", "errors", "ports"},
    "service": {"core", "errors", "ports", "service", "settings"},
    "adapters": {"core", "errors", "ports", "adapters", "settings"},
    "cli": {
        *("core", "errors", "ports", "service", "cli", "settings", "bootstrap", "adapters"),
        *("client", "server", "bot"),  # server, bot: composition roots, not the surfaces
    },
    "bootstrap": {"core", "errors", "ports", "service", "adapters", "settings"},
    # the client: service only for the in-process transport (see the test below)
    "client": {"core", "errors", "ports", "service", "settings", "client"},
    # the HTTP API reaches adapters only through the composition root
    "http": {"core", "errors", "ports", "service", "settings", "bootstrap", "http", "client"},
    "server": {"http", "settings"},  # starts the HTTP surface for the CLI
    # the bot talks to the game only through the client: no service, store or adapter
    "discord": {"core", "errors", "settings", "client", "discord"},
    # the bot process's composition root: picks the transport (in-process engine or HTTP)
    "bot": {"discord", "client", "bootstrap", "settings", "errors", "core", "adapters"},
    # the one module of id patterns; errors: a bad value is translated where it enters
    "settings": {"settings", "core.ids", "errors"},
    "errors": set(),
    "cartridges": set(),
    "__main__": {"cli"},  # packaged TOML data only
}
SURFACES = {"cli", "http", "web", "discord"}


def layer_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def glitchcart_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "glitchcart" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def imported_names(path: Path) -> list[tuple[int, str]]:
    """Every glitchcart module or name imported, dotted below ``glitchcart``:
    ``from glitchcart.core import ids`` gives ``core.ids``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            first, _, rest = name.partition(".")
            if first == "glitchcart" and rest:
                found.append((node.lineno, rest))
    return found


def allows(allowed: set[str], name: str) -> bool:
    """Whether ``name`` is one of ``allowed`` (a layer, or one module of a layer) or in it."""
    return any(name == a or name.startswith(a + ".") for a in allowed)


def modules() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if p.name != "__init__.py" or p.parent != SRC]


def test_every_layer_imports_only_what_it_may() -> None:
    problems = []
    for path in modules():
        layer = layer_of(path)
        allowed = ALLOWED.get(layer)
        assert allowed is not None, f"{path} is in no known layer; add it to ALLOWED"
        for lineno, target in imported_names(path):
            if not allows(allowed, target):
                problems.append(f"{path.relative_to(SRC)}:{lineno} {layer} -> {target}")
    assert problems == []


def test_the_id_patterns_import_nothing_of_glitchcart() -> None:
    """Settings may import ``core.ids`` because it stands alone (no core rules come along)."""
    assert imported_names(SRC / "core" / "ids.py") == []
    assert imported_names(SRC / "core" / "__init__.py") == []


def test_cli_reaches_adapters_only_for_cartridge_files() -> None:
    for path in (SRC / "cli").rglob("*.py"):
        for lineno, target in glitchcart_imports(path):
            if target == "adapters":
                text = path.read_text(encoding="utf-8").splitlines()[lineno - 1]
                assert "adapters.cartridges" in text, f"{path.name}:{lineno} picks an adapter"


def test_client_reaches_the_service_only_in_process() -> None:
    """The HTTP transport and the wire models never need an engine."""
    for path in (SRC / "client").rglob("*.py"):
        if path.name in ("inprocess.py", "convert.py"):
            continue
        targets = {t for _, t in glitchcart_imports(path)}
        assert "service" not in targets, f"{path.name} imports the service"


def test_core_imports_only_the_standard_library() -> None:
    import sys

    for path in (SRC / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            for root in roots:
                assert root == "glitchcart" or root in sys.stdlib_module_names, (
                    f"{path.name} imports {root}"
                )


def test_core_has_no_io_or_asyncio_or_clock() -> None:
    banned = {"asyncio", "time", "os", "sqlite3", "pathlib", "socket", "subprocess"}
    for path in (SRC / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & banned, f"{path.name} imports {roots & banned}"


def test_surfaces_never_import_each_other() -> None:
    for surface in SURFACES:
        folder = SRC / surface
        if not folder.exists():
            continue
        for path in folder.rglob("*.py"):
            others = {t for _, t in glitchcart_imports(path)} & (SURFACES - {surface})
            assert not others, f"{path} imports surface(s) {others}"


def test_no_module_level_mutable_session_state() -> None:
    """No ``global`` statements anywhere in src (rule 1: no ambient session)."""
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not any(isinstance(n, ast.Global) for n in ast.walk(tree)), path


# What a surface may call on an engine: its public methods, not the wiring the
# composition roots hand it (DESIGN.md, Surfaces: "it never reaches into the
# engine's store, media or clock").
ENGINE_WIRING = {
    *("store", "events", "media", "clock", "cartridges", "settings", "narrator", "painter"),
    *("tapes", "films", "providers", "runtime", "deadline_listeners", "background"),
}
SURFACE_FILES = [
    *(p for s in ("cli", "http", "web", "discord") for p in (SRC / s).rglob("*.py")),
    SRC / "client" / "inprocess.py",
]


def engine_reaches(source: str) -> list[tuple[int, str]]:
    """Attributes read off an engine (a name ``engine``, an ``x.engine``, or anything
    annotated ``Engine``) that are not the facade's public methods."""
    from glitchcart.service.engine import Engine

    public = {n for n in dir(Engine) if not n.startswith("_")} - ENGINE_WIRING
    tree = ast.parse(source)
    engines = {"engine"}
    for node in ast.walk(tree):
        annotated = isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None
        if annotated and "Engine" in re.findall(r"\w+", ast.unparse(node.annotation)):
            target = node.arg if isinstance(node, ast.arg) else ast.unparse(node.target)
            engines.add(target)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        value = node.value
        is_engine = (isinstance(value, ast.Name) and value.id in engines) or (
            isinstance(value, ast.Attribute) and value.attr == "engine"
        )
        if is_engine and node.attr not in public:
            found.append((node.lineno, node.attr))
    return sorted(found)


def test_the_engine_check_sees_a_reach_into_the_store() -> None:
    source = (
        "async def f(e: Engine, engine, self):\n"
        "    await e.store.load(k)\n"
        "    engine._pipeline\n"
        "    self.engine.clock.now()\n"
        "    await engine.snapshot(k)\n"
    )
    assert engine_reaches(source) == [(2, "store"), (3, "_pipeline"), (4, "clock")]


def test_surfaces_use_only_the_engines_public_methods() -> None:
    problems = []
    for path in SURFACE_FILES:
        for lineno, attr in engine_reaches(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(SRC)}:{lineno} engine.{attr}")
    assert problems == []
