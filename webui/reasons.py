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
    "user_not_found": _l("This user does not exist."),
    "username_taken": _l("This username is already taken; choose another."),
    "username_length": _l("A username has 1 to 80 characters."),
    "display_name_length": _l("A display name has at most 200 characters."),
    "invalid_email": _l("Enter a valid e-mail address, such as name@example.cn."),
    "notification_not_found": _l("This notification does not exist or is not yours."),
    "unknown_role": _l("Choose one of the four roles."),
    "city_user_needs_pilot": _l("A city submitter needs the pilot they work for."),
    "reviewer_needs_province": _l("A provincial reviewer needs the province they work for."),
    "password_too_short": _l("The password needs at least 10 characters."),
    "self_demotion": _l("You cannot take away your own administrator role; ask another administrator."),
    "self_deactivation": _l("You cannot deactivate your own account; ask another administrator."),
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
    "import_empty": _l("The file is empty: it has no rows."),
    "import_too_large": _l("The file is too large (the limit is %(n)s bytes)."),
    "import_old_excel": _l("Old Excel workbooks (.xls) cannot be read. Save the file as .xlsx or as CSV."),
    "import_unreadable": _l("The file is not a readable Excel workbook (.xlsx) or CSV file."),
    "import_not_text": _l("The file is neither an Excel workbook nor CSV text. Save it as .xlsx or CSV UTF-8."),
    "import_too_many_rows": _l("The file has more than %(n)s rows. Split it into smaller lists."),
    "import_columns": _l("The heading row lacks these columns: %(missing)s. The columns are province (省份), name "
                         "(名称) and level (级别)."),
    "import_bad_rows": _l("%(n)s rows have problems; nothing was imported."),
    "indicator_not_found": _l("This indicator does not exist."),
    "indicator_name_required": _l("Give the indicator a Chinese and an English name."),
    "indicator_too_long": _l("An entry is too long (at most %(n)s characters)."),
    "indicator_unchanged": _l("Nothing was changed: the wording is the same as before."),
    "indicator_level": _l("Third-level indicators are added under a second-level one, and only they can be retired."),
    "indicator_already": _l("The indicator is already in that state."),
    "invalid_key": _l("A process key uses letters, digits and _ . -, and starts with a letter."),
    "key_taken": _l("A process or a draft with the key %(key)s exists already: open it from the list."),
    "draft_exists": _l("There is a draft of %(key)s already: open it from the list, or discard it first."),
    "draft_not_found": _l("There is no saved draft of this process (it may have been deployed or discarded)."),
    "file_not_found": _l("This version has no such file."),
    "not_bpmn": _l("This is not a BPMN 2.0 file."),
    "no_process": _l("This BPMN file defines no process with an id."),
    "file_too_large": _l("The file is too large (at most %(limit)s bytes)."),
    "invalid_draft": _l("The draft's files could not be read: only .bpmn, .dmn and .json files, as text."),
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
