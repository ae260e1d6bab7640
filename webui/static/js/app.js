// Progressive enhancement only: every page works without this file.
// Buttons and forms with data-confirm ask before an irreversible action. A form that is being
// posted is sent once: another submit of it (a double click, Enter again) is ignored, without a
// second question, until the next page arrives.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.sending) {
    event.preventDefault();
    return;
  }
  const button = event.submitter;
  const message = (button && button.dataset.confirm) || form.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
}, true);

// Last of the submit handlers, when nothing has cancelled it: the form is on its way. The pressed
// button is disabled only after this event, because the browser collects the form's data (the
// pressed button's name and value among it) once the event is over, and leaves disabled buttons
// out. Forms with several buttons (Submit, Save draft, Add row…) post the one that was pressed.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const method = ((event.submitter && event.submitter.getAttribute("formmethod")) || form.method || "").toLowerCase();
  if (event.defaultPrevented || method !== "post") return;
  form.dataset.sending = "true";
  const button = event.submitter;
  if (button && !button.disabled) {
    setTimeout(() => {
      button.disabled = true;
      button.dataset.disabledWhileSending = "true";
    }, 0);
  }
});

// A page the browser restores from its back/forward cache may be posted again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-sending]").forEach((form) => { delete form.dataset.sending; });
  document.querySelectorAll("[data-disabled-while-sending]").forEach((button) => {
    button.disabled = false;
    delete button.dataset.disabledWhileSending;
  });
});

// Read-only values meant to be copied (the new API token) are selected when focused or clicked.
document.addEventListener("focusin", (event) => {
  const field = event.target;
  if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) field.select();
});

// An element marked data-focus-on-load (the error summary after a failed submit) takes the focus,
// so a screen reader reads it first and a keyboard user tabs on from it to the fields.
const focusFirst = document.querySelector("[data-focus-on-load]");
if (focusFirst) focusFirst.focus();

// File fields in the page's language: the browser's own button and "no file" text follow the
// browser's language, not the page's. The real input stays where it is (it is what the form
// sends and what its label names) but is drawn as a button and the chosen file's name, in words
// the page gives (data-file-choose / data-file-none on <body>).
for (const input of document.querySelectorAll("input[type=file].form-control")) {
  const { fileChoose, fileNone } = document.body.dataset;
  if (!fileChoose) continue;
  const picker = document.createElement("div");
  picker.className = "file-picker input-group" + (input.classList.contains("form-control-sm") ? " input-group-sm" : "");
  const button = document.createElement("span");
  button.className = "btn btn-outline-secondary";
  button.textContent = fileChoose;
  button.setAttribute("aria-hidden", "true");
  const name = document.createElement("span");
  name.className = "form-control text-truncate";
  name.setAttribute("aria-hidden", "true");
  input.parentNode.insertBefore(picker, input);
  picker.append(input, button, name);
  input.classList.add("file-picker-input");
  const show = () => {
    name.textContent = input.files.length ? Array.from(input.files, (f) => f.name).join(", ") : fileNone;
    name.classList.toggle("text-body-secondary", !input.files.length);
  };
  input.addEventListener("change", show);
  show();
}
