"""The words of a notification in a given language, for the notifications page and for mails.

The engine stores a notification's kind and parameters only. The page words it with the
request's Flask-Babel catalog; the worker words mails with the same compiled catalog loaded
through ``babel.support`` (no Flask application needed), in the recipient's language.
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from babel.support import Translations

import engine
from webui.i18n import split_bilingual

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LOCALES = {"zh": "zh_Hans_CN", "en": "en"}  # a user's mail language -> the catalog
MAIL_LANGUAGES = (("zh", "简体中文"), ("en", "English"))

Gettext = Callable[[str], str]


def _(text: str) -> str:
    """Marks a text for extraction; each call below translates it with the catalog it is given."""
    return text


TITLES = {
    "task_arrived": _("New task: %(task)s"),
    "task_assigned": _("A task was handed to you: %(task)s"),
    "revision_requested": _("Revision requested: %(task)s"),
    "due_soon": _("Deadline approaching: %(task)s"),
    "overdue": _("Overdue: %(task)s"),
    "escalated": _("Overdue in your province: %(task)s"),
}
LINES = {
    "task_arrived": _("The task “%(task)s” of %(pilot)s is waiting in your task list."),
    "task_assigned": _("The task “%(task)s” of %(pilot)s was handed to you."),
    "revision_requested": _("Your submission “%(task)s” of %(pilot)s was sent back for revision "
                            "(round %(round)s)."),
    "due_soon": _("The task “%(task)s” of %(pilot)s is due on %(due)s."),
    "overdue": _("The task “%(task)s” of %(pilot)s was due on %(due)s and is not done yet."),
    "escalated": _("The task “%(task)s” of %(pilot)s was due on %(due)s and is not done yet. "
                   "Please follow it up."),
}


def _fill(params: Mapping[str, Any], english: bool, gettext: Gettext) -> dict[str, Any]:
    zh, en = split_bilingual(str(params.get("task") or ""))
    due = params.get("due_at")
    when = datetime.fromisoformat(due).astimezone(engine.clock.CHINA).strftime("%Y-%m-%d %H:%M") if due else "—"
    return {"task": en if english and en else zh, "pilot": params.get("pilot") or params.get("province")
            or gettext("the province"), "round": params.get("round") or 1, "due": when}


def title(kind: str, params: Mapping[str, Any], gettext: Gettext, *, english: bool) -> str:
    return gettext(TITLES.get(kind, TITLES["task_arrived"])) % _fill(params, english, gettext)


def line(kind: str, params: Mapping[str, Any], gettext: Gettext, *, english: bool) -> str:
    return gettext(LINES.get(kind, LINES["task_arrived"])) % _fill(params, english, gettext)


@lru_cache(maxsize=4)
def catalog(language: str) -> NullTranslations:
    """The compiled catalog of a mail language (Chinese unless English is asked for)."""
    return Translations.load(str(TRANSLATIONS), [LOCALES.get(language, LOCALES["zh"])])


def mail_renderer(base_url: str) -> Callable[[engine.mail.Mail], engine.mail.Letter]:
    """Render a claimed mail in its recipient's language, with a link that opens the notification."""

    def render(mail: engine.mail.Mail) -> engine.mail.Letter:
        english = mail.language == "en"
        gettext = catalog(mail.language).gettext
        link = f"{base_url}/notifications/{mail.notification_id}"
        body = "\n\n".join([
            gettext("Hello %(name)s,") % {"name": mail.recipient},
            line(mail.kind, mail.params, gettext, english=english),
            gettext("Open it here: %(link)s") % {"link": link},
            "-- \n" + gettext("Smart City Pilot Workflow. You get these mails because e-mail notifications "
                              "are on in your profile: %(link)s") % {"link": f"{base_url}/profile"},
        ])
        subject = gettext("[Smart City Pilot] %(title)s") % {
            "title": title(mail.kind, mail.params, gettext, english=english)}
        return engine.mail.Letter(subject, body)

    return render
