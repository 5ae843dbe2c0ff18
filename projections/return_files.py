"""What a statutory return is: named files of rows, each row column: text, written as CSV;
and the returns facts as a return reads them, personal columns opened."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select

from projections.personal import PersonalSealer, personal_columns

SEX_CODES_FROM = 2024  # from the 2024-25 collections, sex is M, F or U (DfE)


def dmy(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def sex_code(sex: str, year: int) -> str:
    """The ledger's sex (1 male, 2 female, 9 not stated) as a return of `year` codes it:
    M, F, U from 2024-25; 1, 2 (blank when not stated) before."""
    if year >= SEX_CODES_FROM:
        return {"1": "M", "2": "F"}.get(sex, "U")
    return sex if sex in ("1", "2") else ""


@dataclass(frozen=True)
class Return:
    """A return: its collection year and, for each file, its rows (column: text)."""

    name: str
    year: int
    files: dict[str, list[dict[str, str]]]
    columns: dict[str, tuple[str, ...]]

    @property
    def start(self) -> date:
        return date(self.year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.year + 1, 3, 31)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.files.items()}

    def write_csv(self, folder: Path) -> list[Path]:
        """One CSV a file, named for the file (Header.csv, Episodes.csv...)."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, columns in self.columns.items():
            path = folder / f"{name}.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
                writer.writeheader()
                writer.writerows(self.files.get(name, []))
            written.append(path)
        return written


class Facts:
    """The returns facts of the children a return concerns, personal columns opened."""

    def __init__(self, conn: Connection, sealer: PersonalSealer):
        self.conn = conn
        self.sealer = sealer

    def rows(self, table: Table, *where: Any) -> list[dict[str, Any]]:
        result = self.conn.execute(select(table).where(*where))
        keys = list(result.keys())
        found = [dict(zip(keys, row, strict=True)) for row in result.all()]
        sealed = personal_columns(table)
        if sealed:
            self.sealer.prefetch(record["stream_id"] for record in found)
            for record in found:
                self.sealer.open_row(record["stream_id"], record, sealed)
        return found

    def by_child(self, table: Table, *where: Any) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self.rows(table, *where):
            grouped[row["stream_id"]].append(row)
        return grouped


def date_of(text: str | None) -> date | None:
    """A personal date column, opened (ISO text), as a date."""
    return None if text is None else date.fromisoformat(text)


def upn_default(born: date | None, school_age_born_by: date) -> str:
    """Why a child has no UPN, where the council did not say: UN1 (not yet of school age:
    born after `school_age_born_by`, which each return's rules set) or UN2 (has never
    attended a maintained school in England)."""
    return "UN1" if born is None or born > school_age_born_by else "UN2"
