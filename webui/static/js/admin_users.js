// The user forms: only the jurisdiction field of the chosen role shows (a province for a
// provincial reviewer, a pilot for a city submitter). Without this file both show; the engine
// ignores the one the role does not use.
for (const form of document.querySelectorAll("[data-user-form]")) {
  const role = form.querySelector("[data-role-select]");
  const sync = () => {
    for (const box of form.querySelectorAll("[data-for-role]")) box.hidden = box.dataset.forRole !== role.value;
  };
  role.addEventListener("change", sync);
  sync();
}
