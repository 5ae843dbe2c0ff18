"""`journey import ssda903`: a council's existing SSDA903 files, as the events they imply.

A council starting with the ledger has years of 903 returns. Each child's rows, across
every year given, become their events: registration (Header, UASC), periods of care,
legal statuses and placements (Episodes), reviews, missing episodes, social worker
allocations (SWEpisodes), the OC2 health facts (dated 31 March of their year), care
leaver contacts (OC3, dated the birthday), adoption decisions, matches and orders (AD1,
PlacedAdoption), previous permanence (PrevPerm) and motherhood. The same episode or
review reported in two years is one event; the later year's dates win.

What the returns do not say, the import makes up as little as it can, and marks: the
social workers named by SW_ID become workers of one team, "Imported from the SSDA903";
carers who continue a stay (RNE T or U) and adopters become carer households and adopter
families with ids beginning `903-`. Every event is appended with `source=import` and an
idempotency key of its own, so running the import again stores nothing twice.

A child's events are appended in one atomic batch: if any is refused by the ledger's
rules, none of that child's are stored, and the report names the file, the line and the
rule. Reference data (the team, workers, carer households, adopter families) comes first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from journey.dates import add_months
from journey.ledger import Ledger
from journey.ssda903_files import Line, read_years

SOURCE = "import"
TEAM = "903-imported"
CONTINUES = "X1"
ADOPTED = frozenset({"E11", "E12"})
ADOPTER_SEXES = {"M1": ["1"], "F1": ["2"], "MM": ["1", "1"], "FF": ["2", "2"], "MF": ["1", "2"]}
SEXES = {"M": "1", "1": "1", "F": "2", "2": "2"}
DERIVED_UPN_CODES = frozenset({"UN1", "UN2"})  # not yet of school age; never at school here

# On one day, what happens first: endings before the beginnings they make room for.
REGISTERED, ALLOCATION_ENDED, ALLOCATED, PERIOD, PERMANENCE = 0, 1, 2, 3, 4
PLACEMENT_ENDED, STATUS, PLACEMENT, PLACED_FOR_ADOPTION, FACT = 5, 6, 7, 8, 9
ORDER, PERIOD_ENDED, AFTER = 10, 11, 12


class _Add(Protocol):
    def __call__(
        self, on: date, step: int, key: str, event_type: str, line: Line | None, **fields: Any
    ) -> None: ...


@dataclass(frozen=True)
class Rejected:
    file: str
    line: int
    child: str
    rule: str
    message: str


@dataclass
class Imported:
    years: list[int]
    children: int = 0
    stored: int = 0
    already_stored: int = 0
    refused_children: int = 0
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(order=True)
class _Planned:
    on: date
    step: int
    seq: int
    payload: dict[str, Any] = field(compare=False)
    line: Line | None = field(compare=False, default=None)


def dmy(text: str) -> date | None:
    if not text:
        return None
    return datetime.strptime(text, "%d/%m/%Y").date()


def postcode(text: str) -> str | None:
    """A postcode as the ledger keeps it: capitals, one space before the inward code."""
    bare = text.replace(" ", "").upper()
    return f"{bare[:-3]} {bare[-3:]}" if len(bare) >= 5 else None


def import_ssda903(ledger: Ledger, folder: Path, year: int | None = None) -> Imported:
    returns = read_years(folder, year)
    plan = _Plan(returns)
    report = Imported(years=sorted(returns))
    reference = plan.reference()
    if reference:
        for result in ledger.append_batch(reference, atomic=True):
            if not result.ok:
                problems = "; ".join(f"{p.rule}: {p.message}" for p in result.problems)
                raise ValueError(f"the imported reference data was refused: {problems}")
            _count(report, result.status)
    for child in sorted(plan.children):
        planned = plan.child_events(child)
        results = ledger.append_batch([p.payload for p in planned], atomic=True)
        report.children += 1
        refused = [(p, r) for p, r in zip(planned, results, strict=True) if r.status == "rejected"]
        if refused:
            report.refused_children += 1
            for p, r in refused:
                for problem in r.problems:
                    line = p.line
                    report.rejected.append(
                        Rejected(
                            line.file if line else "Header",
                            line.number if line else 0,
                            child,
                            problem.rule,
                            f"{p.payload['type']}: {problem.message}",
                        )
                    )
            continue
        for r in results:
            _count(report, r.status)
    return report


def _count(report: Imported, status: str) -> None:
    if status == "stored":
        report.stored += 1
    elif status == "already_stored":
        report.already_stored += 1


class _Plan:
    """Every child's rows across the years, merged: the same episode (or review, missing
    episode, social worker episode) reported in two years is one, the later year's
    values winning."""

    def __init__(self, returns: dict[int, dict[str, list[Line]]]):
        self.returns = returns
        self.children: dict[str, dict[str, Any]] = defaultdict(
            lambda: {
                "header": None,
                "episodes": {},
                "reviews": {},
                "missing": {},
                "workers": {},
                "oc2": {},
                "oc3": {},
                "ad1": None,
                "decisions": {},
                "permanence": {},
                "uasc": None,
                "years": set(),  # the years whose Header has the child
                "seen": {},  # the last year each social worker episode was reported in
            }
        )
        self.sw_ids: dict[str, date] = {}
        for year in sorted(returns):
            files = returns[year]
            for line in files.get("Header", []):
                self.children[line.row["CHILD"]]["header"] = line
                self.children[line.row["CHILD"]]["years"].add(year)
            for name, store, key in (
                ("Episodes", "episodes", ("DECOM",)),
                ("Reviews", "reviews", ("REVIEW",)),
                ("Missing", "missing", ("MIS_START",)),
                ("SWEpisodes", "workers", ("SW_DECOM", "SW_ID")),
                ("PlacedAdoption", "decisions", ("DATE_PLACED",)),
            ):
                for line in files.get(name, []):
                    self.children[line.row["CHILD"]][store][tuple(line.row[k] for k in key)] = line
            for name, store in (("OC2", "oc2"), ("OC3", "oc3"), ("PrevPerm", "permanence")):
                for line in files.get(name, []):
                    self.children[line.row["CHILD"]][store][year] = line
            for line in files.get("AD1", []):
                self.children[line.row["CHILD"]]["ad1"] = line
            for line in files.get("UASC", []):
                self.children[line.row["CHILD"]]["uasc"] = line
            for line in files.get("SWEpisodes", []):
                self.children[line.row["CHILD"]]["seen"][
                    line.row["SW_DECOM"], line.row["SW_ID"]
                ] = year
                started = dmy(line.row["SW_DECOM"])
                if started is not None:
                    known = self.sw_ids.get(line.row["SW_ID"])
                    self.sw_ids[line.row["SW_ID"]] = min(started, known or started)
        self.children = {c: d for c, d in self.children.items() if d["header"] is not None}

    # --- reference data -----------------------------------------------------------------

    def earliest(self) -> date:
        days = [
            d
            for data in self.children.values()
            for line in (*data["episodes"].values(), *data["workers"].values())
            for d in (dmy(line.row.get("DECOM", "")), dmy(line.row.get("SW_DECOM", "")))
            if d is not None
        ]
        return min(days) if days else date(2000, 1, 1)

    def reference(self) -> list[dict[str, Any]]:
        since = self.earliest()
        events: list[dict[str, Any]] = []
        if self.sw_ids:
            events.append(
                _payload(
                    "TeamEstablished",
                    since,
                    f"team-{TEAM}",
                    team_id=TEAM,
                    name="Imported from the SSDA903",
                    service="looked_after",
                )
            )
        for sw_id in sorted(self.sw_ids):
            events.append(
                _payload(
                    "WorkerRegistered",
                    since,
                    f"worker-{sw_id}",
                    worker_id=worker_id(sw_id),
                    name=f"Social worker {sw_id}",
                    role="social_worker",
                    team_id=TEAM,
                    swe_registration=sw_id if sw_id.startswith("SW") else None,
                )
            )
        for child, data in sorted(self.children.items()):
            events += self._carers(child, data)
        return events

    def _carers(self, child: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Households for stays that continue with the same carers (RNE T or U), and the
        adopters of an adopted child."""
        events = []
        for stay, since in self._stays(data).items():
            events.append(
                _payload(
                    "CarerHouseholdApproved",
                    since,
                    f"household-{stay}",
                    household_id=stay,
                    kind="foster",
                )
            )
        ad1 = data["ad1"]
        matched = dmy(ad1.row["DATE_MATCH"]) if ad1 else None
        if ad1 is None or matched is None:
            return events
        household = f"903-{child}-adopters"
        events.append(
            _payload(
                "CarerHouseholdApproved",
                matched,
                f"household-{household}",
                household_id=household,
                kind="adopter",
            )
        )
        sexes = ADOPTER_SEXES.get(ad1.row["SEX_ADOPTR"])
        if sexes is not None and ad1.row["LS_ADOPTR"]:
            relationship = ad1.row["LS_ADOPTR"]
            family = {"family_id": household}
            events += [
                _payload(
                    "AdopterEnquiryReceived",
                    matched,
                    f"enquiry-{household}",
                    **family,
                    adopters=[
                        {"adopter_id": f"{household}-{n + 1}", "sex": sex}
                        for n, sex in enumerate(sexes)
                    ],
                    relationship=relationship,
                ),
                *(
                    _payload(kind, matched, f"{kind}-{stage}-{household}", **family, stage=stage)
                    for stage in (1, 2)
                    for kind in ("AdoptionStageStarted", "AdoptionStageCompleted")
                    if not (kind == "AdoptionStageCompleted" and stage == 2)
                ),
                _payload("AdopterApplicationSubmitted", matched, f"applied-{household}", **family),
                _payload(
                    "AdoptionStageCompleted", matched, f"stage2-done-{household}", **family, stage=2
                ),
                _payload(
                    "AdopterFamilyApproved",
                    matched,
                    f"approved-{household}",
                    **family,
                    household_id=household,
                ),
            ]
        return events

    def _stays(self, data: dict[str, Any]) -> dict[str, date]:
        """The carer household of each placement that the next continues (T or U)."""
        stays: dict[str, date] = {}
        ordered = self._episodes(data)
        for i, line in enumerate(ordered[1:], start=1):
            if line.row["RNE"] in ("T", "U"):
                first = self._stay_start(ordered, i - 1)
                stays.setdefault(
                    self._stay_id(line.row["CHILD"], first), dmy(first.row["DECOM"]) or date.min
                )
        return stays

    @staticmethod
    def _continued(ordered: list[Line], i: int) -> bool:
        """Whether the placement begun at episode i is followed, after any changes of legal
        status alone, by a placement with the same carers (T or U)."""
        for line in ordered[i + 1 :]:
            if line.row["RNE"] != "L":
                return line.row["RNE"] in ("T", "U")
        return False

    @staticmethod
    def _stay_start(ordered: list[Line], i: int) -> Line:
        while i > 0 and ordered[i].row["RNE"] in ("T", "U", "L"):
            i -= 1
        return ordered[i]

    @staticmethod
    def _stay_id(child: str, first: Line) -> str:
        return f"903-{child}-{first.row['DECOM'].replace('/', '')}"

    @staticmethod
    def _episodes(data: dict[str, Any]) -> list[Line]:
        return sorted(
            data["episodes"].values(), key=lambda line: dmy(line.row["DECOM"]) or date.min
        )

    # --- a child's events --------------------------------------------------------------

    def child_events(self, child: str) -> list[_Planned]:
        data = self.children[child]
        planned: list[_Planned] = []

        def add(
            on: date, step: int, key: str, event_type: str, line: Line | None, **fields: Any
        ) -> None:
            planned.append(
                _Planned(
                    on,
                    step,
                    len(planned),
                    _payload(event_type, on, f"{child}-{key}", la_child_id=child, **fields),
                    line,
                )
            )

        self._identity(child, data, add)
        self._care(child, data, add)
        self._social_workers(data, add)
        self._facts(child, data, add)
        self._adoption(child, data, add)
        return sorted(planned)

    def _identity(self, child: str, data: dict[str, Any], add: _Add) -> None:
        header: Line = data["header"]
        row = header.row
        born = dmy(row["DOB"])
        upn = row["UPN"]
        starts = [
            d
            for line in (*data["episodes"].values(), *data["workers"].values())
            for d in (dmy(line.row.get("DECOM", "") or line.row.get("SW_DECOM", "")),)
            if d is not None
        ]
        registered = min([*starts, born] if born else starts or [date(2000, 1, 1)])
        fields: dict[str, Any] = {
            "sex": SEXES.get(row["SEX"], "9"),
            "ethnicity": row["ETHNIC"] or "NOBT",
            "uasc": data["uasc"] is not None,
        }
        if upn in DERIVED_UPN_CODES:
            pass  # the ledger derives these from the child's age, year by year
        elif upn.startswith("UN"):
            fields["upn_unknown"] = upn
        elif upn:
            fields["upn"] = upn
        if born is not None and registered < born:
            add(
                registered,
                REGISTERED,
                "registered",
                "ChildRegistered",
                header,
                expected_date_of_birth=born.isoformat(),
                **fields,
            )
            add(
                born,
                REGISTERED,
                "born",
                "ChildDetailsUpdated",
                header,
                date_of_birth=born.isoformat(),
            )
        else:  # no date of birth: the ledger refuses the registration, and says why
            add(
                registered,
                REGISTERED,
                "registered",
                "ChildRegistered",
                header,
                date_of_birth=born.isoformat() if born else None,
                **fields,
            )
        if row["MOTHER"] == "1" and (had := dmy(row["MC_DOB"])) is not None:
            add(had, FACT, "gave-birth", "ChildGaveBirth", header)
        uasc: Line | None = data["uasc"]
        if uasc is not None and (ceased := dmy(uasc.row["DUC"])) is not None:
            add(ceased, FACT, "uasc-ceased", "ChildDetailsUpdated", uasc, uasc=False)

    def _care(self, child: str, data: dict[str, Any], add: _Add) -> None:
        ordered = self._episodes(data)
        period = placement = None
        household: str | None = None
        for i, line in enumerate(ordered):
            row = line.row
            started = dmy(row["DECOM"])
            if started is None:
                continue
            key = row["DECOM"].replace("/", "")
            if row["RNE"] == "S" or period is None:
                period = f"903-{key}"
                add(
                    started,
                    PERIOD,
                    f"period-{key}",
                    "PeriodOfCareStarted",
                    line,
                    period_id=period,
                    legal_status=row["LS"],
                    category_of_need=row["CIN"],
                    home_postcode=postcode(row["HOME_POST"]),
                )
                placement = None
            elif row["RNE"] in ("L", "B", "U"):
                add(
                    started,
                    STATUS,
                    f"status-{key}",
                    "LegalStatusChanged",
                    line,
                    legal_status=row["LS"],
                )
            if row["RNE"] != "L" or placement is None:
                if placement is not None:
                    before = ordered[i - 1].row
                    reason = before["REASON_PLACE_CHANGE"] or (
                        "PLACE" if row["RNE"] in ("T", "U") else "OTHER"
                    )
                    add(
                        started,
                        PLACEMENT_ENDED,
                        f"placement-ended-{key}",
                        "PlacementEnded",
                        ordered[i - 1],
                        placement_id=placement,
                        reason=reason,
                    )
                if row["RNE"] not in ("T", "U"):
                    household = None
                if self._continued(ordered, i):
                    household = household or self._stay_id(child, self._stay_start(ordered, i))
                placement = f"903-{key}"
                add(
                    started,
                    PLACEMENT,
                    f"placement-{key}",
                    "PlacementStarted",
                    line,
                    placement_id=placement,
                    place=row["PLACE"],
                    provider=row["PLACE_PROVIDER"] or None,
                    postcode=postcode(row["PL_POST"]),
                    urn=row["URN"] or None,
                    carer_household_id=household,
                )
            ended = dmy(row["DEC"])
            if ended is not None and row["REC"] and row["REC"] != CONTINUES:
                add(
                    ended,
                    PERIOD_ENDED,
                    f"period-ended-{key}",
                    "PeriodOfCareEnded",
                    line,
                    period_id=period,
                    reason=row["REC"],
                )
                period = placement = household = None

    def _social_workers(self, data: dict[str, Any], add: _Add) -> None:
        ordered = sorted(
            data["workers"].values(), key=lambda line: dmy(line.row["SW_DECOM"]) or date.min
        )
        for i, line in enumerate(ordered):
            row = line.row
            started = dmy(row["SW_DECOM"])
            if started is None:
                continue
            allocation = f"903-{row['SW_DECOM'].replace('/', '')}-{row['SW_ID']}"
            following = ordered[i + 1].row["SW_DECOM"] if i + 1 < len(ordered) else ""
            seen = data["seen"][row["SW_DECOM"], row["SW_ID"]]
            absent = [y for y in sorted(data["years"]) if y > seen]
            add(
                started,
                ALLOCATED,
                f"allocated-{allocation}",
                "WorkerAllocated",
                line,
                allocation_id=allocation,
                worker_id=worker_id(row["SW_ID"]),
                swe_registration=row["SW_ID"] if row["SW_ID"].startswith("SW") else None,
                role="social_worker",
                team_id=TEAM,
                reason=row["SW_REASON"] or "OTHERS",
            )
            # An episode left open in one year's return and missing from a later year's that
            # has the child had ended before that year began, and at the latest when the
            # next one began.
            inferred = [d for d in (dmy(following), absent and date(absent[0], 3, 31)) if d]
            ended = dmy(row["SW_DEC"]) or (min(inferred) if inferred else None)
            if ended is not None:
                add(
                    ended,
                    ALLOCATION_ENDED,
                    f"allocation-ended-{allocation}",
                    "WorkerAllocationEnded",
                    line,
                    allocation_id=allocation,
                )

    def _facts(self, child: str, data: dict[str, Any], add: _Add) -> None:
        for line in data["reviews"].values():
            held = dmy(line.row["REVIEW"])
            if held is not None:
                key = line.row["REVIEW"].replace("/", "")
                add(
                    held,
                    FACT,
                    f"review-{key}",
                    "LookedAfterReviewHeld",
                    line,
                    review_id=f"903-{key}",
                    review_code=line.row["REVIEW_CODE"],
                )
        for line in data["missing"].values():
            started = dmy(line.row["MIS_START"])
            if started is None:
                continue
            episode = f"903-{line.row['MIS_START'].replace('/', '')}"
            add(
                started,
                FACT,
                f"missing-{episode}",
                "MissingEpisodeStarted",
                line,
                episode_id=episode,
                kind=line.row["MISSING"] or "M",
            )
            if (ended := dmy(line.row["MIS_END"])) is not None:
                add(
                    ended,
                    AFTER,
                    f"missing-ended-{episode}",
                    "MissingEpisodeEnded",
                    line,
                    episode_id=episode,
                )
        for year, line in data["oc2"].items():
            self._oc2(year, line, add)
        born = dmy(data["header"].row["DOB"])
        for year, line in data["oc3"].items():
            self._oc3(year, born, line, add)
        for year, line in data["permanence"].items():
            self._previous_permanence(year, data, line, add)

    @staticmethod
    def _oc2(year: int, line: Line, add: _Add) -> None:
        row, on = line.row, date(year + 1, 3, 31)
        facts = [
            (
                "HEALTH_ASSESSMENT",
                "HealthAssessmentCompleted",
                {"assessment_kind": "health_assessment"},
            ),
            ("TEETH_CHECK", "HealthAssessmentCompleted", {"assessment_kind": "dental_check"}),
            (
                "HEALTH_CHECK",
                "HealthAssessmentCompleted",
                {"assessment_kind": "development_assessment"},
            ),
            ("CONVICTED", "OffenceRecorded", {}),
        ]
        for column, kind, fields in facts:
            if row[column] == "1":
                add(on, FACT, f"oc2-{year}-{column}", kind, line, **fields)
        if row["IMMUNISATIONS"] in ("0", "1"):
            add(
                on,
                FACT,
                f"oc2-{year}-immunisations",
                "ImmunisationsReviewed",
                line,
                up_to_date=row["IMMUNISATIONS"] == "1",
            )
        if row["SDQ_SCORE"] or row["SDQ_REASON"]:
            sdq: dict[str, Any] = (
                {"score": int(row["SDQ_SCORE"])}
                if row["SDQ_SCORE"].isdigit()
                else {"reason_not_completed": row["SDQ_REASON"]}
            )
            add(on, FACT, f"oc2-{year}-sdq", "StrengthsAndDifficultiesRecorded", line, **sdq)
        if row["SUBSTANCE_MISUSE"] == "1":
            intervention = (
                "received"
                if row["INTERVENTION_RECEIVED"] == "1"
                else "offered_not_received"
                if row["INTERVENTION_OFFERED"] == "1"
                else "not_offered"
            )
            add(
                on,
                FACT,
                f"oc2-{year}-substance",
                "SubstanceMisuseIdentified",
                line,
                intervention=intervention,
            )

    @staticmethod
    def _oc3(year: int, born: date | None, line: Line, add: _Add) -> None:
        row = line.row
        start, end = date(year, 4, 1), date(year + 1, 3, 31)
        birthdays = [add_months(born, 12 * age) for age in range(17, 26) if born is not None]
        on = next((b for b in birthdays if start <= b <= end), end)
        accommodation = row["ACCOM"]
        fields: dict[str, Any] = {"in_touch": row["IN_TOUCH"]}
        if row["ACTIV"] and row["ACTIV"] != "0":
            fields["activity"] = row["ACTIV"]
        if len(accommodation) == 2:
            fields["accommodation"] = accommodation[0]
            fields["accommodation_suitable"] = accommodation[1] == "1"
        add(on, FACT, f"oc3-{year}", "CareLeaverContactRecorded", line, **fields)

    def _previous_permanence(self, year: int, data: dict[str, Any], line: Line, add: _Add) -> None:
        row = line.row
        start, end = date(year, 4, 1), date(year + 1, 3, 31)
        periods = [
            d
            for e in data["episodes"].values()
            if e.row["RNE"] == "S" and (d := dmy(e.row["DECOM"])) is not None and start <= d <= end
        ]
        if not periods or not row["PREV_PERM"]:
            return
        fields: dict[str, Any] = {"previous_permanence": row["PREV_PERM"]}
        if row["PREV_PERM"] != "Z1":
            fields["council"] = row["LA_PERM"] or None
            day, month, year_part = ([*row["DATE_PERM"].split("/"), "", "", ""])[:3]
            fields |= {
                "order_year": int(year_part) if year_part.isdigit() else None,
                "order_month": int(month) if month.isdigit() else None,
                "order_day": int(day) if day.isdigit() else None,
            }
        add(
            min(periods),
            PERMANENCE,
            f"previous-permanence-{year}",
            "PreviousPermanenceRecorded",
            line,
            **fields,
        )

    def _adoption(self, child: str, data: dict[str, Any], add: _Add) -> None:
        ad1: Line | None = data["ad1"]
        decisions = dict(data["decisions"])
        if ad1 is not None and ad1.row["DATE_INT"]:
            decisions.setdefault((ad1.row["DATE_INT"],), ad1)
        adopted_episode = next((e for e in self._episodes(data) if e.row["REC"] in ADOPTED), None)
        for (decided_text,), line in sorted(
            decisions.items(), key=lambda kv: dmy(kv[0][0]) or date.min
        ):
            decided = dmy(decided_text)
            if decided is None:
                continue
            decision = f"903-{decided_text.replace('/', '')}"
            add(
                decided,
                FACT,
                f"decision-{decision}",
                "AdoptionDecisionMade",
                line,
                decision_id=decision,
            )
            ceased = dmy(line.row.get("DATE_PLACED_CEASED", ""))
            if ceased is not None:
                add(
                    ceased,
                    FACT,
                    f"reversed-{decision}",
                    "AdoptionDecisionReversed",
                    line,
                    decision_id=decision,
                    reason=line.row["REASON_PLACED_CEASED"] or "RD4",
                )
                continue
            if ad1 is None or ad1.row["DATE_INT"] != decided_text:
                continue
            household = f"903-{child}-adopters"
            matched = dmy(ad1.row["DATE_MATCH"])
            if matched is not None:
                add(
                    matched,
                    FACT,
                    f"matched-{decision}",
                    "AdopterMatched",
                    ad1,
                    decision_id=decision,
                    adopter_household_id=household,
                )
            placed = next(
                (
                    dmy(e.row["DECOM"])
                    for e in self._episodes(data)
                    if e.row["PLACE"] in ("A3", "A4", "A5", "A6")
                ),
                None,
            )
            if placed is not None and matched is not None:
                add(
                    max(placed, matched),
                    PLACED_FOR_ADOPTION,
                    f"placed-{decision}",
                    "PlacedForAdoption",
                    ad1,
                    decision_id=decision,
                    adopter_household_id=household,
                )
            if adopted_episode is not None and (on := dmy(adopted_episode.row["DEC"])):
                add(
                    on,
                    ORDER,
                    f"adoption-order-{decision}",
                    "CourtOrderMade",
                    adopted_episode,
                    order_id=f"903-adoption-{decision}",
                    order_type="adoption",
                )


def worker_id(sw_id: str) -> str:
    return f"903-{sw_id}"


def _payload(event_type: str, on: date, key: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": event_type,
        "occurred_at": on.isoformat(),
        "idempotency_key": f"ssda903-import:{key}",
        "source": SOURCE,
        **{k: v for k, v in fields.items() if v is not None},
    }
