"""The DfE's validation rules, applied to a return as it would be submitted.

A rule book holds rules by the DfE's own codes. Each rule reads the return's files (the
rows exactly as exported, dates as text) and names every child it fails, so that what is
checked is what the council would send. A rule marked as a query is one the DfE raises
for a council to look at, not an error: `--check` lists queries apart and only errors
fail. Rules are versioned by collection year where the DfE changed them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from projections.return_files import Return

Check = Callable[["Submission"], Iterable[tuple[str, str]]]  # (child, what is wrong)


@dataclass(frozen=True)
class Rule:
    code: str
    file: str
    message: str
    query: bool = False
    since: int | None = None  # first collection year it applies to
    until: int | None = None  # last collection year it applies to


@dataclass(frozen=True)
class Finding:
    rule: str
    file: str
    child: str
    message: str
    detail: str
    query: bool


@dataclass
class RuleBook:
    name: str
    rules: list[tuple[Rule, Check]] = field(default_factory=list)

    def rule(
        self,
        code: str,
        file: str,
        message: str,
        *,
        query: bool = False,
        since: int | None = None,
        until: int | None = None,
    ) -> Callable[[Check], Check]:
        def register(check: Check) -> Check:
            self.rules.append((Rule(code, file, message, query, since, until), check))
            return check

        return register

    def applying(self, year: int) -> list[tuple[Rule, Check]]:
        return [
            (rule, check)
            for rule, check in self.rules
            if (rule.since is None or year >= rule.since)
            and (rule.until is None or year <= rule.until)
        ]

    def check(self, made: Return) -> Checked:
        submission = Submission(made)
        findings = []
        for rule, check in self.applying(made.year):
            for child, detail in check(submission):
                findings.append(
                    Finding(rule.code, rule.file, child, rule.message, detail, rule.query)
                )
        return Checked(made, findings, [r for r, _ in self.applying(made.year)])


@dataclass(frozen=True)
class Checked:
    made: Return
    findings: list[Finding]
    rules: list[Rule]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if not f.query]

    @property
    def queries(self) -> list[Finding]:
        return [f for f in self.findings if f.query]

    def by_rule(self) -> Counter[str]:
        return Counter(f.rule for f in self.findings)


class Submission:
    """A return as its rules read it: rows by file and by child, dates parsed."""

    def __init__(self, made: Return):
        self.made = made
        self.year = made.year
        self.start, self.end = made.start, made.end
        self._grouped: dict[str, dict[str, list[dict[str, str]]]] = {}

    def rows(self, file: str) -> list[dict[str, str]]:
        return self.made.files.get(file, [])

    def by_child(self, file: str, key: str = "CHILD") -> dict[str, list[dict[str, str]]]:
        if file not in self._grouped:
            grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
            for row in self.rows(file):
                grouped[row[key]].append(row)
            self._grouped[file] = grouped
        return self._grouped[file]


def parse_date(text: str | None, form: str = "%d/%m/%Y") -> date | None:
    """A date as the return writes it; None for a blank or a value that is not a date."""
    if not text:
        return None
    try:
        return datetime.strptime(text, form).date()
    except ValueError:
        return None


def valid_date(text: str | None, form: str = "%d/%m/%Y") -> bool:
    return parse_date(text, form) is not None


def years_after(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return date(born.year + years, 3, 1)
