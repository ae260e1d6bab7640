// Long texts in documents and comparisons (.fold inside an element carrying data-fold-more and
// data-fold-less, the button texts) are folded to a few lines with a button to show them whole.
// The page is complete without this file: without it everything is shown.
(function () {
  "use strict";
  const FOLDED_HEIGHT = 160; // px, about eight lines
  document.querySelectorAll(".fold").forEach(function (block, index) {
    if (block.scrollHeight <= FOLDED_HEIGHT * 1.25) return;
    const texts = block.closest("[data-fold-more]");
    if (!texts) return;
    block.id = block.id || "fold-" + index;
    block.classList.add("folded");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link btn-sm p-0 fold-toggle";
    button.setAttribute("aria-controls", block.id);
    button.setAttribute("aria-expanded", "false");
    button.textContent = texts.dataset.foldMore;
    button.addEventListener("click", function () {
      const open = block.classList.toggle("folded") === false;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? texts.dataset.foldLess : texts.dataset.foldMore;
    });
    block.after(button);
  });
})();
