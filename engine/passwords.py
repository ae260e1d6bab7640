"""What makes a new password too easy to guess (NIST SP 800-63B, 5.1.1.2): a common password, the
username in it (as is, reversed, with digits around it), repeated or sequential characters, a
keyboard walk, a date, or a few common words.

The lists and pattern matching are zxcvbn's (the Dropbox estimator: ~30,000 common passwords and
frequency lists of words and names, shipped in the package, used offline). A password it estimates
at under 10^8 guesses (its score below 3) is refused, naming the weakest part found.
"""
from __future__ import annotations

import functools
import re

from zxcvbn import zxcvbn

MIN_SCORE = 3
MAX_CHECKED = 100  # zxcvbn's cost grows with the length; a longer password is judged by its start
_NOT_ALNUM = re.compile(r"[\W_]+")

# The reason of each of zxcvbn's match patterns (InvalidData.reason; webui/reasons.py words them).
_REASONS = {"repeat": "password_repeats", "sequence": "password_sequence", "spatial": "password_keyboard",
            "date": "password_date", "regex": "password_date"}


@functools.lru_cache(maxsize=256)
def _estimate(password: str) -> tuple[int, tuple[tuple[str, str], ...]]:
    """zxcvbn's score and the (pattern, dictionary) of each part of its best reading."""
    result = zxcvbn(password[:MAX_CHECKED])
    parts = tuple((str(m.get("pattern")), str(m.get("dictionary_name") or "")) for m in result["sequence"])
    return int(result["score"]), parts


def _has_username(password: str, username: str) -> bool:
    """The username (3 characters or more) in the password, forwards or backwards, also when the
    punctuation of either is left out."""
    pw, name = password.casefold(), username.strip().casefold()
    for p, n in ((pw, name), (_NOT_ALNUM.sub("", pw), _NOT_ALNUM.sub("", name))):
        if len(n) >= 3 and (n in p or n[::-1] in p):
            return True
    return False


def weakness(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be used by ``username``, as a reason code; None when it may."""
    if username and _has_username(password, username):
        return "password_has_username"
    score, parts = _estimate(password)
    if score >= MIN_SCORE:
        return None
    patterns = [pattern for pattern, _ in parts]
    if ("dictionary", "passwords") in parts:
        return "password_common"
    for pattern in ("repeat", "sequence", "spatial", "date", "regex"):
        if pattern in patterns:
            return _REASONS[pattern]
    if "dictionary" in patterns:
        return "password_words"
    return "password_guessable"


MESSAGES = {
    "password_has_username": "the password contains the username",
    "password_common": "the password is one of the most common passwords",
    "password_repeats": "the password is mostly repeated characters",
    "password_sequence": "the password is mostly a sequence such as 12345 or abcde",
    "password_keyboard": "the password is mostly a keyboard pattern such as qwerty",
    "password_date": "the password is mostly a date or a year",
    "password_words": "the password is only a few common words or names",
    "password_guessable": "the password is too easy to guess",
}
