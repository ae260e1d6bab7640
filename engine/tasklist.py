"""The inbox page (待办 / 待签收 / 同事办理中 / 已办) in one read: one page of a task list with each
task's rights, the tab counts and the filter options, from one session."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import inbox
from engine import lookup
from engine import queries
from engine import saved_filters
from engine.lookup import Caller
from engine.models import Pilot
from engine.models import Province

TAB_COUNTS = ("mine", "group", "held", inbox.UNREAD)


@dataclass
class InboxView:
    page: inbox.Page
    counts: dict[str, int]  # mine, group, held, unread (the completed history is not counted)
    pilots: list[Pilot]
    provinces: list[Province]
    steps: list[inbox.StepOption]
    saved: list[saved_filters.FilterView]


def inbox_view(db: sessionmaker[Session], user_id: Caller, query: inbox.TaskQuery) -> InboxView:
    with db() as session:
        user = lookup.active_user(session, user_id)
        return InboxView(inbox.page_of(session, user, query), inbox.counts(session, user, TAB_COUNTS),
                         queries.pilots_of(session, user), queries.provinces_of(session, user),
                         inbox.steps_of(session, user), saved_filters.filters_of(session, user))
