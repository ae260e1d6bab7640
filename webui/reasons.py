"""What an engine error means to the person who met it, in their language.

The engine raises errors with a ``reason`` key ("task_not_found", "claimed_by_other" …) and an
English message for logs and API clients; a page shows the sentence below for the reason, and
for a reason it does not know, nothing but the page's own title and hint — never the developer's
sentence.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from engine import EngineError

SENTENCES = {
    "task_not_found": _l("This task does not exist, or it is outside your jurisdiction."),
    "instance_not_found": _l("This process does not exist, or it is outside your jurisdiction."),
    "pilot_not_found": _l("This pilot does not exist, or it is outside your jurisdiction."),
    "province_not_found": _l("This province does not exist."),
    "attachment_not_found": _l("This attachment does not exist, or it is outside your jurisdiction."),
    "attachment_missing": _l("The file of this attachment is missing from storage. Tell your administrator."),
    "diagram_missing": _l("The diagram of this process is not stored."),
    "process_not_found": _l("This process definition has not been deployed."),
    "filter_not_found": _l("This saved filter does not exist (it may have been deleted)."),
    "inactive_user": _l("Your account is not active. Ask your administrator."),
    "outside_jurisdiction": _l("This pilot or province is outside your jurisdiction."),
    "task_not_yours": _l("This task is for another role or jurisdiction; you can read it but not act on it."),
    "task_completed": _l("This task has already been completed."),
    "task_cancelled": _l("This task was withdrawn: the process moved on without it."),
    "instance_suspended": _l("The process is suspended; nothing can be done on it until it is resumed."),
    "instance_cancelled": _l("The process was terminated."),
    "instance_completed": _l("The process has already been completed."),
    "instance_error": _l("The process stopped with an error; an administrator has to resume it."),
    "claimed_by_other": _l("A colleague has claimed this task. Ask them to release it, or ask a reviewer of "
                           "your province to reassign it."),
    "instance_changed": _l("The process changed since you opened this task."),
    "concurrent_change": _l("Someone else changed this process at the same moment; nothing was saved."),
    "task_not_ready": _l("This task cannot be completed now."),
    "not_holder": _l("Only the colleague holding this task can release it."),
    "may_not_reassign": _l("You may not reassign this task."),
    "not_eligible": _l("That user cannot work on this task."),
    "message_not_awaited": _l("The process is not waiting for this event now."),
    "message_not_yours": _l("Your role may not trigger this event."),
    "admin_only": _l("Only administrators can do this."),
    "bad_transition": _l("The process is not in a state that allows this."),
    "dashboard_roles": _l("The dashboard is for provincial, ministry and administrator users."),
    "reason_required": _l("Give a reason."),
    "already_running": _l("This process is already running for this pilot."),
    "pilot_required": _l("This process needs a pilot."),
    "workflow_failed": _l("The process could not continue. An administrator can see what went wrong in the "
                          "audit log."),
    "not_an_object": _l("The entries could not be read."),
    "comment_empty": _l("Write a comment first."),
    "comment_too_long": _l("A comment can be at most %(n)s characters."),
    "comment_field_unknown": _l("Choose a field of the form, or none."),
    "form_invalid": _l("Some entries do not fit the form (%(n)s problems)."),
    "invalid_definition": _l("The definition was refused (%(n)s problems)."),
    "migration_refused": _l("%(n)s of the selected instances cannot move; nothing was migrated."),
    "nothing_to_revert": _l("This instance has no migration to revert."),
    "instance_moved_on": _l("The process moved on since it was migrated; reverting would lose that, so nothing was "
                            "changed."),
    "cannot_send_back": _l("The process cannot be sent back to this step."),
    "not_in_error": _l("Only a process stopped with an error can be retried."),
    "version_not_found": _l("The process has no version %(n)s."),
    "mixed_processes": _l("The selected instances belong to different processes; migrate one process at a time."),
    "no_instances": _l("Choose at least one instance."),
    "too_many_instances": _l("At most %(n)s instances can be migrated at once."),
}


def explain(exc: EngineError) -> str | None:
    """The sentence for an engine error in the interface language (None when there is none)."""
    sentence = SENTENCES.get(exc.reason)
    if sentence is None:
        return None
    try:
        return str(sentence) % exc.params if exc.params else str(sentence)
    except (KeyError, TypeError, ValueError):
        return str(sentence)
