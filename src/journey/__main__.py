"""`python -m journey` runs the command line."""

from journey.cli import main

main()
