"""Where a request may send the browser next: only a path on this site, never another site.

Every redirect to a target the user supplied (``next`` on sign-in, the language switch, the inbox
buttons) goes through ``safe_target``. Browsers are lenient about what they treat as another host
(``//host``, ``/\\host``, a tab or newline dropped inside ``/\t/host``, ``%2f`` decoded late), so the
rule is strict: one leading ``/`` then a path without any of those.
"""
from __future__ import annotations

import re
from urllib.parse import unquote
from urllib.parse import urlsplit

MAX_TARGET = 2000
# Control characters (C0, DEL, C1), backslashes and whitespace other than a plain space.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\\\u2028\u2029]")
# Encoded slashes and backslashes: a proxy or browser decoding them late turns a path into a host.
_ENCODED_SLASH = re.compile(r"%(2f|5c)", re.IGNORECASE)


def is_local_path(target: str) -> bool:
    """Whether ``target`` is a same-site path: a single leading ``/``, no scheme, no host, nothing
    a browser could read as the start of another address."""
    if not target or len(target) > MAX_TARGET or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return False
    # Checked as given and as decoded again and again (a double-encoded %252f is %2f once decoded).
    text = target
    for _ in range(4):
        if _FORBIDDEN.search(text) or _ENCODED_SLASH.search(text) or text.startswith("//"):
            return False
        text, before = unquote(text), text
        if text == before:
            break
    else:
        return False  # still changing after four rounds of decoding: no real address looks like that
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


def safe_target(target: object, default: str) -> str:
    """``target`` when it is a same-site path, otherwise ``default`` (the home page, an inbox)."""
    if isinstance(target, str):
        target = target.strip(" ")
        if is_local_path(target):
            return target
    return default
