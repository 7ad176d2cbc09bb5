"""Cartridges from TOML files: the packaged ones, plus any folders given."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from glitchcart.core.cartridge import Cartridge, parse_cartridge
from glitchcart.errors import CartridgeNotFound, InvalidCartridge


def load_cartridge_file(path: Path) -> Cartridge:
    """Parse one cartridge file; errors name the file and the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidCartridge(f"{path.name}: not valid TOML ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidCartridge(f"{path.name}: cannot be read ({exc.__class__.__name__})") from exc
    try:
        return parse_cartridge(data)
    except InvalidCartridge as exc:
        raise InvalidCartridge(f"{path.name}: {exc}") from exc


class CartridgeLibrary:
    """All cartridges known to this process, loaded and validated once at start."""

    def __init__(self, extra_dirs: tuple[Path, ...] = (), *, include_packaged: bool = True) -> None:
        self._by_id: dict[str, Cartridge] = {}
        files: list[Path] = []
        if include_packaged:
            packaged = resources.files("glitchcart.cartridges")
            files.extend(
                Path(str(entry)) for entry in packaged.iterdir() if entry.name.endswith(".toml")
            )
        for folder in extra_dirs:
            files.extend(folder.glob("*.toml"))
        for path in sorted(files):
            cartridge = load_cartridge_file(path)
            self._by_id[cartridge.id] = cartridge

    def get(self, cartridge_id: str) -> Cartridge:
        try:
            return self._by_id[cartridge_id]
        except (KeyError, TypeError):
            known = ", ".join(sorted(self._by_id)) or "none"
            raise CartridgeNotFound(
                f"no cartridge {str(cartridge_id)[:48]!r} (known: {known})"
            ) from None

    def list(self) -> list[Cartridge]:
        return [self._by_id[k] for k in sorted(self._by_id)]
