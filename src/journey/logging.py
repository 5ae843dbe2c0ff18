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
