"""The HTTP API (`journey serve`): FastAPI over the same Python API as the CLI."""
