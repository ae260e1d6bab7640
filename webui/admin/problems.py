"""The deploy checks' problems in the reader's language: the engine words each problem in English
(for logs and API clients); the editor shows the common ones translated, the engine's sentence
beside them, and any other as the engine wrote it."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

import engine

# The engine's sentence (its named groups fill the translation's placeholders) -> the reader's.
PATTERNS = [
    (re.compile(r"user task in lane '(?P<lane>.*)'; lanes must be one of"),
     _l("This user task is in lane “%(lane)s”, which maps to no role: name the lane City, Province, Ministry "
        "or Admin.")),
    (re.compile(r"user task outside any lane; lanes must be one of"),
     _l("This user task is in no lane: put it in a lane named City, Province, Ministry or Admin.")),
    (re.compile(r"form file '(?P<name>.*)' is missing from the deployment"),
     _l("The form file %(name)s is not in the draft: create it on the Forms tab.")),
    (re.compile(r"decision '(?P<name>.*)' is not in this deployment"),
     _l("The decision %(name)s is not in the draft's DMN files.")),
    (re.compile(r"called process '(?P<name>.*)' is not in this deployment"),
     _l("The called process %(name)s is not in the draft.")),
    (re.compile(r"no executable top-level process"),
     _l("No process is executable yet: select the process (or pool) and tick “Executable”.")),
    (re.compile(r"(script tasks|pre/post scripts) are disabled on this server"),
     _l("Scripts are switched off on this server: use a service task or a gateway condition instead.")),
    (re.compile(r"not well-formed XML: (?P<error>.*)"), _l("The file is not well-formed XML: %(error)s")),
    (re.compile(r"no BPMN file given"), _l("The draft has no BPMN file.")),
]


def explained(problem: engine.Problem) -> dict[str, object]:
    """A problem as the editor shows it: ``message`` for the reader, ``detail`` the engine's words."""
    found = problem.as_dict()
    for pattern, sentence in PATTERNS:
        match = pattern.search(problem.message)
        if match:
            groups = {k: (v or "").strip() for k, v in match.groupdict().items()}
            return found | {"message": str(sentence) % groups if groups else str(sentence), "detail": problem.message}
    return found | {"detail": None}
