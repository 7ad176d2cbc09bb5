"""The bot as ``glitchcart discord`` runs it, with the test cartridges of folder argv[1]
added (short vote windows). Settings come from the environment, as in production."""

from __future__ import annotations

import sys
from pathlib import Path

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.bot import run_bot
from glitchcart.settings import load_settings

if __name__ == "__main__":
    run_bot(load_settings(), cartridges=CartridgeLibrary((Path(sys.argv[1]),)))
