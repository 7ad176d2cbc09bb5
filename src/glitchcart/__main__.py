"""``python -m glitchcart`` runs the command line."""

from glitchcart.cli.app import main

main()
