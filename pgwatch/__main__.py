"""``python -m pgwatch`` is the ``pgwatch`` command."""

from pgwatch.cli import main

main()
