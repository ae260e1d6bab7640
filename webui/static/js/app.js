// Progressive enhancement only: every page works without this file.
// Buttons and forms with data-confirm ask before an irreversible action.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const message = (button && button.dataset.confirm) || form.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
}, true);

// Read-only values meant to be copied (the new API token) are selected when focused or clicked.
document.addEventListener("focusin", (event) => {
  const field = event.target;
  if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) field.select();
});

// An element marked data-focus-on-load (the error summary after a failed submit) takes the focus,
// so a screen reader reads it first and a keyboard user tabs on from it to the fields.
const focusFirst = document.querySelector("[data-focus-on-load]");
if (focusFirst) focusFirst.focus();
