"""The SSDA903's files: their names and columns (the DfE's layout, returns.md), and reading
a council's files back in, for `journey import ssda903`.

A folder holds one collection year's files (Header.csv, Episodes.csv...; any case, any
of the files may be missing), or one subfolder a year named by the year it begins
(`2023/`, `2024/`...).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

FILES: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "OC2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "OC3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": (
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "PlacedAdoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "PrevPerm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "SWEpisodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
}


@dataclass(frozen=True)
class Line:
    """One row of a file, where it came from (for the rejections report)."""

    file: str
    number: int  # the line in the file, the header being line 1
    row: dict[str, str]


class LayoutError(ValueError):
    """A file that is not what its name says (a missing or misspelt column)."""


def read_year(folder: Path) -> dict[str, list[Line]]:
    """One year's files, by file name; rows with every value stripped."""
    found: dict[str, list[Line]] = {}
    by_name = {p.stem.lower(): p for p in folder.iterdir() if p.suffix.lower() == ".csv"}
    for name, columns in FILES.items():
        path = by_name.get(name.lower())
        if path is None:
            continue
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise LayoutError(
                    f"{path.name}: no column {', '.join(missing)} (expected {', '.join(columns)})"
                )
            found[name] = [
                Line(name, n, {c: (row.get(c) or "").strip() for c in columns})
                for n, row in enumerate(reader, start=2)
            ]
    return found


def read_years(folder: Path, year: int | None) -> dict[int, dict[str, list[Line]]]:
    """Every year in the folder: its subfolders named by year, or the folder itself as
    `year`."""
    if not folder.is_dir():
        raise LayoutError(f"{folder} is not a folder")
    years = sorted(
        int(p.name)
        for p in folder.iterdir()
        if p.is_dir() and p.name.isdigit() and len(p.name) == 4
    )
    if years:
        if year is not None:
            years = [y for y in years if y == year]
        return {y: read_year(folder / str(y)) for y in years}
    if year is None:
        raise LayoutError(
            f"{folder} holds no year subfolders (2023/, 2024/...): say which collection "
            "year its files are for with --year"
        )
    return {year: read_year(folder)}
