"""Settings: from the environment, else from `.journey/settings.json` in the working
folder (where `journey demo` keeps what a later command needs, such as the cipher key),
else defaults. The settings file is written with owner-only permissions and never logged.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from pathlib import Path

SETTINGS_FILE = Path(".journey") / "settings.json"
DEFAULT_DATABASE_URL = "sqlite:///journey.db"
DEFAULT_COUNCIL = "999"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    cipher_key: str | None = None
    council: str = DEFAULT_COUNCIL
    principal: str = "unknown"

    def __repr__(self) -> str:  # never show the key
        key = "set" if self.cipher_key else "unset"
        return (
            f"Settings(database_url={redact_url(self.database_url)!r}, cipher_key={key}, "
            f"council={self.council!r}, principal={self.principal!r})"
        )


def redact_url(url: str) -> str:
    """A database URL fit for a log line: no password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url


def _saved(folder: Path) -> dict[str, str]:
    path = folder / SETTINGS_FILE
    if path.is_file():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    return {}


def load_settings(database_url: str | None = None, folder: Path | None = None) -> Settings:
    folder = folder or Path.cwd()
    saved = _saved(folder)
    principal = os.environ.get("JOURNEY_PRINCIPAL") or _os_user()
    return Settings(
        database_url=database_url
        or os.environ.get("JOURNEY_DATABASE_URL")
        or saved.get("database_url")
        or DEFAULT_DATABASE_URL,
        cipher_key=os.environ.get("JOURNEY_CIPHER_KEY") or saved.get("cipher_key") or None,
        council=os.environ.get("JOURNEY_COUNCIL") or saved.get("council") or DEFAULT_COUNCIL,
        principal=principal,
    )


def save_settings(values: dict[str, str], folder: Path | None = None) -> Path:
    """Merge `values` into the folder's settings file (owner read/write only)."""
    folder = folder or Path.cwd()
    path = folder / SETTINGS_FILE
    path.parent.mkdir(mode=0o700, exist_ok=True)
    merged = _saved(folder) | values
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(merged, handle, indent=2)
    return path


def _os_user() -> str:
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):
        return "os:unknown"
