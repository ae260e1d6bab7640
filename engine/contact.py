"""A user's e-mail address and notification preferences: checked here (the command line, the
admin pages, the profile and the API all pass through), changed by the user or an administrator."""
from __future__ import annotations

from email_validator import EmailNotValidError
from email_validator import validate_email
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from engine import audit
from engine import lookup
from engine.db import transaction
from engine.errors import InvalidData
from engine.models import User

LANGUAGES = ("zh", "en")  # of the mails; zh is the default


def check_email(email: str | None) -> str | None:
    """The address normalized (None when blank); InvalidData when it is not a valid address."""
    text = (email or "").strip()
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidData(f"not a valid e-mail address: {exc}", [{"field": "email", "message": str(exc)}],
                          reason="invalid_email") from None


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidData(f"language must be one of {', '.join(LANGUAGES)}",
                          [{"field": "language", "message": "unknown"}], reason="unknown_language")
    return language


def set_preferences(db: sessionmaker[Session], *, user_id: int, email: str | None, email_notifications: bool,
                    language: str) -> None:
    """The signed-in user's own address, whether they want mail, and its language."""
    address, language = check_email(email), check_language(language)
    with transaction(db) as session:
        user = lookup.active_user(session, user_id)
        apply(session, user.id, address, email_notifications, language, actor_id=user.id)


def apply(session: Session, target_id: int, email: str | None, email_notifications: bool, language: str, *,
          actor_id: int | None) -> None:
    user = session.get_one(User, target_id)
    before = {"email": user.email, "email_notifications": user.email_notifications, "language": user.language}
    user.email, user.email_notifications, user.language = email, email_notifications, language
    after = {"email": user.email, "email_notifications": user.email_notifications, "language": user.language}
    if before != after:
        audit.record(session, "user_preferences", actor_id=actor_id, before=before, after=after,
                     message=user.username)

