// Small enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});

// Buttons that only the no-JavaScript page needs (the script does their work).
function hideFallbacks(root) {
  for (const button of root.querySelectorAll("[data-without-js]")) button.hidden = true;
}
document.addEventListener("DOMContentLoaded", () => hideFallbacks(document));
document.addEventListener("htmx:afterSwap", (event) => hideFallbacks(event.target));

// Put `text` into a text box at the cursor, on a line of its own.
function insertText(box, text) {
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  const before = box.value.slice(0, start);
  const after = box.value.slice(end);
  const lead = before && !before.endsWith("\n") ? "\n" : "";
  box.value = before + lead + text + after;
  const cursor = (before + lead + text).length;
  box.focus();
  box.setSelectionRange(cursor, cursor);
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

// The text box of the open action form the user was last in (else its first one).
let lastBox = null;
document.addEventListener("focusin", (event) => {
  if (event.target instanceof HTMLTextAreaElement && event.target.closest("#action-form")) {
    lastBox = event.target;
  }
});
function openBox() {
  if (lastBox && lastBox.isConnected) return lastBox;
  return document.querySelector("#action-form textarea");
}

document.addEventListener("change", (event) => {
  const box = event.target;
  // Select-all box of the bulk assignment table.
  if (box instanceof HTMLInputElement && box.matches("[data-select-all]")) {
    for (const row of document.querySelectorAll("input[name='numbers']")) row.checked = box.checked;
  }
  // Reply template picker: insert the chosen template into its text box.
  if (box instanceof HTMLSelectElement && box.matches("[data-insert-into]")) {
    const option = box.selectedOptions[0];
    const target = document.getElementById(box.dataset.insertInto);
    if (option && option.value && target) insertText(target, option.dataset.text);
    box.value = "";
  }
  // Language switcher: change at once.
  if (box instanceof HTMLSelectElement && box.matches("[data-autosubmit]")) box.form.submit();
});

// A knowledge base entry: into the open answer, else open the answer form started with it.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element && event.target.closest("[data-insert-text]");
  if (!link) return;
  const box = openBox();
  if (box) {
    event.preventDefault();
    insertText(box, link.dataset.insertText);
  } else if (window.htmx && document.getElementById("action-form")) {
    event.preventDefault();
    window.htmx.ajax("GET", link.href, { target: "#action-form", swap: "innerHTML" });
  }
});
