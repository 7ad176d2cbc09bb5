"""The key that signs player credentials when the settings give none: made once,
kept in the data directory (mode 0600), shared by every process on it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from glitchcart.errors import StorageError

SECRET_NAME = "secret-key"


def kept_secret(data_dir: Path) -> str:
    """The secret in ``data_dir``, written there first if there is none."""
    path = data_dir / SECRET_NAME
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # written whole under a private name, then linked: a reader never sees it
            # half-written, and of two processes starting at once one link wins
            draft = data_dir / f".{SECRET_NAME}-{secrets.token_hex(8)}"
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_urlsafe(48))
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        secret = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise StorageError(f"cannot read or write the secret key {path}: {exc}") from exc
    if len(secret) < 32:  # edited by hand: refuse rather than sign weakly
        raise StorageError(f"the secret key {path} is too short; delete it to make a new one")
    return secret
