"""structlog set-up: JSON lines on stderr by default, or a console renderer for people.

Log lines carry event types, hashed stream ids, counts and durations; callers never pass
personal data (names, dates of birth, postcodes, free text) or secrets."""

from __future__ import annotations

import logging
import sys
from typing import Literal

import orjson
import structlog

LogFormat = Literal["json", "console"]


def configure_logging(log_format: LogFormat = "json", level: str = "INFO") -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(serializer=orjson.dumps)
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    factory = (
        structlog.BytesLoggerFactory(file=sys.stderr.buffer)
        if log_format == "json"
        else structlog.PrintLoggerFactory(file=sys.stderr)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=factory,
        cache_logger_on_first_use=False,
    )


class WithoutTraceback(logging.Filter):
    """Keeps a traceback out of a log record, naming the exception's type instead: an
    exception's message, or a frame's source line, may quote what was sent or stored (a
    name, a date of birth). uvicorn logs every exception that escapes the app with its
    traceback, after the app's own handler has answered it (Starlette raises it again for
    the server to log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            kind = record.exc_info[0].__name__ if record.exc_info[0] else "exception"
            record.msg = f"{record.getMessage().strip()} ({kind})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def without_tracebacks(*names: str) -> None:
    """Put `WithoutTraceback` on these loggers (the HTTP server's)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithoutTraceback) for f in logger.filters):
            logger.addFilter(WithoutTraceback())
