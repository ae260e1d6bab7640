"""The process editor's words, translated on the server and handed to its script (which knows no
Babel): its own labels and messages, and the bpmn-js, properties-panel and bpmnlint texts an
administrator meets most (bpmn-js asks its ``translate`` service for each; the rest stay English)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STRINGS = (
    # our own labels and messages ({…} are filled in by the script)
    _l("Unsaved changes"), _l("All changes saved"), _l("Not saved as a draft yet"), _l("The draft could not be saved."),
    _l("Saved by {who} at {when}"), _l("No problems: this draft can be deployed."), _l("The whole draft"),
    _l("line {n}"), _l("{n} problems"), _l("The draft could not be checked."),
    _l("This process has not been deployed yet: everything in it is new."),
    _l("The diagram is the same as the live version {n}."), _l("Added"), _l("Removed"), _l("Changed"),
    _l("Moved only"), _l("Changes against the live version {n}"), _l("A new process: it becomes version 1."),
    _l("The draft could not be deployed."),
    _l("Deployed: version {n} is live. New instances start on it; running ones stay on theirs."),
    _l("Nothing changed: version {n} stays live."),
    _l("{n} parts of this file could not be read; they are dropped when you save."),
    _l("{n} parts of this file could not be read and are left as they are."),
    _l("no form yet"), _l("This diagram has no user task yet."), _l("This task has no form yet."),
    _l("Form file {form}; UI schema file {ui}"), _l("none"), _l("Checking…"), _l("The preview could not be made."),
    _l("The form has problems (see the preview)."), _l("The form is valid."), _l("Not valid JSON: {error}"),
    _l("Unnamed element"),
    # the properties panel group of our own
    _l("Task form and deadline"), _l("Decision"), _l("Who does it"), _l("Form (JSON Schema file)"),
    _l("The file of the task's form, e.g. review-schema.json"), _l("UI schema file"),
    _l("Field order and widgets, e.g. review-uischema.json"), _l("Due within"),
    _l("An ISO 8601 duration: P30D is 30 days, PT12H 12 hours"), _l("Write a duration such as P30D (30 days)"),
    _l("Outside any lane: put the task in a lane named City, Province, Ministry or Admin"),
    _l("Lane {lane}: done by {role}"),
    _l("Lane {lane} maps to no role: rename it City, Province, Ministry or Admin"),
    _l("Decision (DMN decision id)"),
    # kinds of element, where one has no name
    _l("Start event"), _l("End event"), _l("User task"), _l("Task"), _l("Service task"), _l("Business rule task"),
    _l("Exclusive gateway"), _l("Parallel gateway"), _l("Sequence flow"), _l("Lane"), _l("Pool"), _l("Process"),
    _l("Sub-process"), _l("Intermediate event"), _l("Boundary event"), _l("Call activity"), _l("Script task"),
    _l("Manual task"), _l("Inclusive gateway"), _l("Event-based gateway"), _l("Message flow"), _l("Collaboration"),
    # bpmn-js: palette and context pad
    _l("Activate hand tool"), _l("Activate lasso tool"), _l("Activate create/remove space tool"),
    _l("Activate global connect tool"), _l("Create start event"), _l("Create end event"),
    _l("Create intermediate/boundary event"), _l("Create gateway"), _l("Create task"),
    _l("Create data object reference"), _l("Create data store reference"), _l("Create expanded sub-process"),
    _l("Create pool/participant"),
    _l("Create group"), _l("Append end event"), _l("Append gateway"), _l("Append task"),
    _l("Append intermediate/boundary event"), _l("Append user task"), _l("Append text annotation"),
    _l("Connect to other element"), _l("Connect using association"), _l("Delete"), _l("Change element"),
    _l("Add lane above"), _l("Add lane below"), _l("Divide into two lanes"), _l("Divide into three lanes"),
    # the properties panel
    _l("General"), _l("Name"), _l("ID"), _l("Documentation"), _l("Element documentation"),
    _l("Process documentation"), _l("Executable"), _l("Process name"), _l("Process ID"), _l("Version tag"),
    _l("Participant"), _l("Extension properties"), _l("Timer"), _l("Type"), _l("Value"), _l("Condition"),
    _l("Condition expression"), _l("Multi-instance"), _l("Message"), _l("Signal"), _l("Escalation"), _l("Error"),
    _l("Inputs"), _l("Outputs"), _l("Data object reference"), _l("Asynchronous continuations"),
    _l("Select an element to edit its properties."), _l("Multiple elements are selected."),
    _l("ID must be unique."), _l("ID must not be empty."), _l("ID must not contain spaces."),
    _l("ID must be a valid QName."), _l("ID must not contain prefix."),
    # bpmnlint
    _l("Toggle linting overlays"), _l("Issues for child elements"), _l("Element is missing label/name"),
    _l("Element is not connected"), _l("Process is missing start event"), _l("Process is missing end event"),
    _l("Element is missing bpmndi"), _l("Element has superfluous label"),
)


def strings() -> dict[str, str]:
    """Each English text and its translation in the interface language."""
    return {s._args[0]: str(s) for s in STRINGS}  # noqa: SLF001 - a lazy string keeps its msgid
