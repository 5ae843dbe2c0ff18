"""`python -m journey` runs the command line."""

from journey.cli import app

app(prog_name="journey")
