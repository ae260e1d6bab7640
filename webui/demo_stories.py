"""The demo's stories: for each shipped pilot, who does what when, ending at every stage of the
programme on the day the demo runs.

A story is a list of beats (start, complete a task, claim one, send a message), each at a moment
in the past; webui.demo plays the beats of all pilots in time order on the engine's clock. Dates
are reckoned back from "now", and the annual reports from calendar years, so the stories hold on
any day of the year: a review meant to be due soon is offered 28 days before now (due in 30).
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from engine import clock
from webui import demo_texts as texts
from webui.demo_texts import Pilot


@dataclass(frozen=True)
class Beat:
    at: datetime
    seq: int            # keeps beats at one moment in the order they were written
    subject: str        # the pilot's name, or the province's for its annual summary
    kind: str           # start | do | claim | message
    who: str            # username of the one who acts
    step: str = ""      # BPMN id of the task, or the message name
    data: dict[str, Any] | None = None
    process: str = "pilot_lifecycle"


@dataclass(frozen=True)
class Cast:
    """Who plays which part: usernames by pilot and by province."""

    city: dict[str, str]            # pilot name -> its city user
    reviewers: dict[str, list[str]]  # province -> its reviewers
    ministry: str = "ministry"


@dataclass
class Story:
    pilot: Pilot
    cast: Cast
    today: date                         # China date of "now"
    beats: list[Beat]
    rng: random.Random = field(init=False)
    t: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.pilot.name)
        self.t = self._at(self.today)

    # --- time ---------------------------------------------------------------------------------
    def _at(self, day: date) -> datetime:
        minutes = self.rng.randrange(9 * 60, 17 * 60 + 30)
        return datetime.combine(day, time(minutes // 60, minutes % 60), clock.CHINA)

    def ago(self, days: int) -> Story:
        """Move to ``days`` before today (exactly: due dates are reckoned from here)."""
        self.t = self._at(self.today - timedelta(days=days))
        return self

    def on(self, day: date) -> Story:
        """Move to a working day on or just before ``day``."""
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        self.t = self._at(day)
        return self

    def later(self, low: int, high: int) -> Story:
        """Move on by ``low``–``high`` days, to a working day."""
        day = self.t.date() + timedelta(days=self.rng.randint(low, high))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        self.t = self._at(day)
        return self

    # --- acts ---------------------------------------------------------------------------------
    def _beat(self, kind: str, who: str, step: str = "", data: dict[str, Any] | None = None) -> Story:
        self.beats.append(Beat(self.t, len(self.beats), self.pilot.name, kind, who, step, data))
        return self

    @property
    def city(self) -> str:
        return self.cast.city[self.pilot.name]

    def reviewer(self) -> str:
        return self.rng.choice(self.cast.reviewers[self.pilot.province])

    def start(self) -> Story:
        return self._beat("start", self.cast.ministry)

    def by_city(self, step: str, data: dict[str, Any]) -> Story:
        return self._beat("do", self.city, step, data)

    def by_province(self, step: str, data: dict[str, Any], who: str | None = None) -> Story:
        return self._beat("do", who or self.reviewer(), step, data)

    def by_ministry(self, step: str, data: dict[str, Any]) -> Story:
        return self._beat("do", self.cast.ministry, step, data)

    def claim(self, step: str, who: str) -> Story:
        return self._beat("claim", who, step)

    def inspect(self, who: str | None = None) -> Story:
        return self._beat("message", who or self.reviewer(), "open_inspection", texts.inspection(self.pilot))


# --- the phases, as building blocks -------------------------------------------------------------

def scheme_rounds(s: Story, decisions: tuple[str, ...], start_year: int) -> None:
    """Submit and review the scheme once per decision."""
    for n, decision in enumerate(decisions, start=1):
        s.later(9, 26).by_city("submit_scheme", texts.scheme(s.pilot, n, start_year))
        s.later(5, 16).by_province("review_scheme", texts.scheme_review(decision, n))


def task_book_rounds(s: Story, decisions: tuple[str, ...], start_year: int, years: int) -> None:
    for n, decision in enumerate(decisions, start=1):
        s.later(10, 24).by_city("submit_task_book", texts.task_book(s.pilot, start_year, years, n))
        s.later(3, 9).by_city("submit_investment_plan", texts.investment_plan(s.pilot, start_year, s.rng))
        s.later(6, 18).by_province("review_task_book", texts.task_book_review(decision))


SCHEME_PATHS = (("approve",), ("revise", "approve"), ("revise", "approve"), ("revise", "revise", "approve"))
TASK_BOOK_PATHS = (("approve",), ("approve",), ("revise", "approve"))


def selection_to_creation(s: Story, start_year: int, years: int) -> None:
    """From selection (spring of the year before) to an approved task book, before creation begins;
    the scheme takes one to three rounds, the task book one or two."""
    s.on(date(start_year - 1, 3, s.rng.randint(2, 27))).start()
    scheme_rounds(s, s.rng.choice(SCHEME_PATHS), start_year)
    task_book_rounds(s, s.rng.choice(TASK_BOOK_PATHS), start_year, years)
    if s.t.date() >= date(start_year - 1, 12, 15):
        raise ValueError(f"{s.pilot.name}: the task book is approved too late for {start_year}")


def report_year(s: Story, year: int, index: int, years: int, kind: str = "regular") -> None:
    """One annual report: ``regular`` (in December), ``early`` (November), ``quick`` (reviewed within
    December), ``supplement`` (sent back once) or ``late`` (after 31 December: the province is alerted)."""
    if kind == "late":
        s.on(date(year + 1, 1, s.rng.randint(3, 6))).by_province("overdue_alert_annual_report",
                                                                 texts.escalation(s.pilot, f"{year}年度自评价报告"))
        s.later(3, 8)
    elif kind == "early":
        s.on(date(year, 11, s.rng.randint(10, 25)))
    elif kind == "quick":
        s.on(date(year, 12, s.rng.randint(1, 8)))
    else:
        s.on(date(year, 12, s.rng.randint(8, 26)))
    s.by_city("submit_annual_report", texts.annual_report(s.pilot, year, index, years, s.rng))
    if kind == "supplement":
        s.later(6, 14).by_province("review_annual_report", texts.annual_review("supplement", s.pilot))
        s.later(5, 11).by_city("submit_annual_report",
                               texts.annual_report(s.pilot, year, index, years, s.rng, supplemented=True))
    s.later(3, 9 if kind == "quick" else 24).by_province("review_annual_report",
                                                         texts.annual_review("accepted", s.pilot))


def report_years(s: Story, start_year: int, years: int, until: int, kinds: dict[int, str] | None = None) -> None:
    """Every report from ``start_year`` to ``until`` (inclusive); the last one done within its December."""
    for year in range(start_year, until + 1):
        kind = (kinds or {}).get(year, "regular")
        report_year(s, year, year - start_year, years, "quick" if year == until and kind != "early" else kind)


def inspection_round(s: Story, year: int, *, again: bool) -> None:
    s.on(date(year, s.rng.randint(4, 8), s.rng.randint(1, 28))).inspect()
    for n in (1, 2) if again else (1,):
        s.later(12, 26)
        s.by_city("submit_rectification", texts.rectification(s.pilot, n, s.t.date().isoformat()))
        decision = "rectify_again" if again and n == 1 else "verified"
        s.later(5, 12).by_province("verify_rectification", texts.verification(decision))


# --- the stages a pilot can be at now -----------------------------------------------------------

def accepted(s: Story, scores: tuple[int, int, int, int], stars: int, self_score: int, *, years: int = 3,
             kinds: dict[int, str] | None = None, inspection_again: bool | None = None) -> None:
    """Creation period over, acceptance assessed; the DMN gives ``stars`` (0: not accepted)."""
    end_year = (s.today - timedelta(days=200)).year  # its creation period ended on 1 January of that year
    start = end_year - years
    selection_to_creation(s, start, years)
    if inspection_again is not None:
        inspection_round(s, start + 1, again=inspection_again)
    report_years(s, start, years, end_year - 1, {start + k: v for k, v in (kinds or {}).items()})
    s.on(date(end_year, 1, 1)).later(30, 60).by_city(
        "submit_acceptance_application", texts.acceptance_application(s.pilot, start, years, self_score, s.rng))
    s.later(28, 60).claim("assess_acceptance", s.cast.ministry)
    s.later(1, 6).by_ministry("assess_acceptance", texts.assessment(scores, stars))


def awaiting_assessment(s: Story, days_ago: int, self_score: int, *, years: int = 3, claimed: bool = False,
                        kinds: dict[int, str] | None = None) -> None:
    """The acceptance application went in ``days_ago`` days ago; the ministry's assessment is open."""
    end_year = (s.today - timedelta(days=days_ago + 12)).year
    start = end_year - years
    selection_to_creation(s, start, years)
    report_years(s, start, years, end_year - 1, {start + k: v for k, v in (kinds or {}).items()})
    s.ago(days_ago).by_city("submit_acceptance_application",
                            texts.acceptance_application(s.pilot, start, years, self_score, s.rng))
    if claimed:
        s.later(1, 3).claim("assess_acceptance", s.cast.ministry)


Final = Callable[[Story, int, int, int], None]  # (story, report year, its index, creation years)


def creating(s: Story, anchor_days: int, final: Final, *, done_years: int, years: int,
             kinds: dict[int, str] | None = None) -> None:
    """In the creation period: ``done_years`` reports accepted, then ``final`` (from ``anchor_days`` ago)
    acts on the report of the year after them."""
    year = (s.today - timedelta(days=anchor_days + 5)).year  # the year whose report ``final`` handles
    start = year - done_years
    selection_to_creation(s, start, years)
    report_years(s, start, years, year - 1, {start + k: v for k, v in (kinds or {}).items()})
    final(s, year, done_years, years)


def report_under_review(days_ago: int) -> Final:
    def act(s: Story, year: int, index: int, years: int) -> None:
        s.ago(days_ago).by_city("submit_annual_report", texts.annual_report(s.pilot, year, index, years, s.rng))
    return act


def report_sent_back(submitted: int, returned: int, resubmitted: int | None = None) -> Final:
    def act(s: Story, year: int, index: int, years: int) -> None:
        s.ago(submitted).by_city("submit_annual_report", texts.annual_report(s.pilot, year, index, years, s.rng))
        s.ago(returned).by_province("review_annual_report", texts.annual_review("supplement", s.pilot))
        if resubmitted is not None:
            s.ago(resubmitted).by_city("submit_annual_report",
                                       texts.annual_report(s.pilot, year, index, years, s.rng, supplemented=True))
    return act


def under_inspection(opened: int, rectified: int, who: str | None = None, report: Final | None = None) -> Final:
    def act(s: Story, year: int, index: int, years: int) -> None:
        if report is not None:
            report(s, year, index, years)
        s.ago(opened).inspect()
        s.ago(rectified).by_city("submit_rectification", texts.rectification(s.pilot, 1, s.t.date().isoformat()))
        if who:
            s.later(1, 2).claim("verify_rectification", who)
    return act


def task_book_stage(s: Story, started: int, scheme_steps: tuple[int, ...], book_steps: tuple[int, ...],
                    who: str | None = None) -> None:
    """Scheme approved; task book rounds at the given days ago (submit, plan, review, … ); the last
    beats may stop at any point of a round."""
    start_year = s.today.year + 1
    s.ago(started).start()
    for n, (submitted, reviewed) in enumerate(zip(scheme_steps[::2], scheme_steps[1::2], strict=True), start=1):
        last = n == len(scheme_steps) // 2
        s.ago(submitted).by_city("submit_scheme", texts.scheme(s.pilot, n, start_year))
        s.ago(reviewed).by_province("review_scheme", texts.scheme_review("approve" if last else "revise", n))
    rounds = [book_steps[i:i + 3] for i in range(0, len(book_steps), 3)]
    for n, steps in enumerate(rounds, start=1):
        acts = [("submit_task_book", texts.task_book(s.pilot, start_year, 4, n)),
                ("submit_investment_plan", texts.investment_plan(s.pilot, start_year, s.rng)),
                ("review_task_book", texts.task_book_review("revise"))]
        for days, (step, data) in zip(steps, acts, strict=False):
            s.ago(days)
            if step == "review_task_book":
                s.by_province(step, data)
            else:
                s.by_city(step, data)
    if who:
        s.later(1, 4).claim("review_task_book", who)


def scheme_stage(s: Story, started: int, steps: tuple[int, ...], who: str | None = None) -> None:
    """Scheme rounds at the given days ago (submit, review, submit, …), every review a 退回修改."""
    start_year = s.today.year + 1
    s.ago(started).start()
    for i, days in enumerate(steps):
        n = i // 2 + 1
        s.ago(days)
        if i % 2 == 0:
            s.by_city("submit_scheme", texts.scheme(s.pilot, n, start_year))
        else:
            s.by_province("review_scheme", texts.scheme_review("revise", n))
    if who:
        s.later(1, 3).claim("review_scheme", who)


# --- who is where ------------------------------------------------------------------------------

def _plans(cast: Cast) -> dict[str, Callable[[Story], None]]:
    """Each shipped pilot's story, by its short name or name."""
    second = {p: r[1] for p, r in cast.reviewers.items() if len(r) > 1}
    first = {p: r[0] for p, r in cast.reviewers.items()}
    return {
        # finished: stars 3, 2, 1 and one not accepted
        "温州市": lambda s: accepted(s, (94, 92, 90, 93), 3, 95, kinds={1: "early"}, inspection_again=False),
        "太原市": lambda s: accepted(s, (83, 78, 86, 74), 2, 88, years=4, kinds={1: "supplement", 2: "late"}),
        "南平市": lambda s: accepted(s, (70, 66, 72, 61), 1, 80, kinds={0: "late"}),
        "朔州市平鲁区": lambda s: accepted(s, (58, 52, 61, 47), 0, 76, kinds={1: "supplement"},
                                         inspection_again=True),
        # waiting for the ministry's acceptance assessment
        "东城区": lambda s: awaiting_assessment(s, 88, 90, claimed=True, kinds={1: "early"}),
        "福州市仓山区": lambda s: awaiting_assessment(s, 47, 86, years=4, kinds={2: "supplement"}),
        "两江新区": lambda s: awaiting_assessment(s, 19, 92),
        # creation period: annual reports under review, sent back, overdue; inspections
        "南岸区": lambda s: creating(s, 28, report_under_review(28), done_years=2, years=3),  # review due soon
        "北京经济技术开发区": lambda s: creating(s, 45, report_under_review(45), done_years=1, years=4),  # overdue
        "长治市": lambda s: creating(s, 12, report_under_review(12), done_years=2, years=4, kinds={0: "supplement"}),
        "宁波市": lambda s: creating(s, 38, under_inspection(30, 6, first.get(s.pilot.province),
                                                          report_under_review(38)),
                                     done_years=1, years=3),  # report overdue, rectification to check
        "平潭": lambda s: creating(s, 35, report_sent_back(35, 22, 9), done_years=1, years=3),
        "柳州市": lambda s: creating(s, 30, report_sent_back(30, 16), done_years=2, years=5),  # supplement to send
        "南宁市": lambda s: creating(s, 40, under_inspection(40, 13), done_years=1, years=3),  # check due soon
        # task book and investment plan
        "宁波市宁海县": lambda s: task_book_stage(s, 150, (131, 118, 101, 90), (70, 64, 50, 35, 28),
                                                 second.get(s.pilot.province)),  # review due soon
        "桂林市": lambda s: task_book_stage(s, 120, (100, 85), (60, 52, 9)),  # round 2 for the city
        "江北区": lambda s: task_book_stage(s, 110, (92, 80), (52, 44)),  # review overdue
        # implementation scheme rounds
        "贵港市": lambda s: scheme_stage(s, 95, (80, 66, 45, 24)),  # round 3 for the city
        "柳州市鱼峰区": lambda s: scheme_stage(s, 70, (55, 41, 17), first.get(s.pilot.province)),
        "永川区": lambda s: scheme_stage(s, 41, ()),  # not submitted: reminded, then the province alerted
        "拉萨市": lambda s: scheme_stage(s, 26, (4,)),
    }


def stories(pilots: list[Pilot], cast: Cast, today: date) -> list[Beat]:
    """Every beat of the shipped pilots' stories (pilots without a story are left unstarted)."""
    plans = _plans(cast)
    beats: list[Beat] = []
    for pilot in pilots:
        plan = plans.get(pilot.short) or plans.get(pilot.name)
        if plan is not None and pilot.name in cast.city:
            story = Story(pilot, cast, today, [])
            plan(story)
            beats += story.beats
    return beats


def summaries(provinces: list[str], pilots: list[Pilot], cast: Cast, today: date, beats: list[Beat]) -> list[Beat]:
    """Each province's yearly summary (provincial_summary), from the first report year on: started the
    day after its 15 January timer, then written two to six weeks after each 15 January."""
    years = [b.data["year"] for b in beats if b.step == "submit_annual_report" and b.data]
    if not years:
        return []
    first = min(years)
    reported: dict[tuple[str, int], list[Pilot]] = {}
    names = {p.name: p for p in pilots}
    for b in beats:
        if b.step == "submit_annual_report" and b.subject in names:
            got = reported.setdefault((names[b.subject].province, b.at.year), [])
            if names[b.subject] not in got:
                got.append(names[b.subject])
    out: list[Beat] = []
    for province in provinces:
        if not cast.reviewers.get(province):
            continue
        rng = random.Random(province)
        who = cast.reviewers[province][0]
        at = datetime.combine(date(first, 1, 16), time(10, rng.randrange(60)), clock.CHINA)
        out.append(Beat(at, 0, province, "start", who, process="provincial_summary"))
        for year in range(first + 1, today.year + 1):
            day = date(year, 1, 15) + timedelta(days=rng.randint(14, 42))
            if day >= today:
                break
            at = datetime.combine(day, time(rng.randint(9, 16), rng.randrange(60)), clock.CHINA)
            data = texts.provincial_summary(province, year - 1, reported.get((province, year - 1), []))
            out.append(Beat(at, len(out), province, "do", who, "summarize_experience", data, "provincial_summary"))
    return out
