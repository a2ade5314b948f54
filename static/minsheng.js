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

// A text box with a limit: count as the person types and say plainly when it is too long
// (the browser's maxlength would drop pasted text without a word). The texts come from the
// page, in its language: {count}, {limit}, {left}, {over}.
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}
function updateCounter(counter) {
  const box = document.getElementById(counter.dataset.counterFor);
  if (!box) return;
  const limit = Number(counter.dataset.limit);
  const count = [...box.value].length;  // characters, as the server counts them
  const values = { count, limit, left: limit - count, over: count - limit };
  const state = count > limit ? "over" : count >= limit * 0.9 ? "near" : "";
  const template = { over: counter.dataset.textOver, near: counter.dataset.textNear }[state];
  counter.textContent = fill(template || counter.dataset.textCount, values);
  counter.classList.toggle("near", state === "near");
  counter.classList.toggle("over", state === "over");
  box.classList.toggle("over", state === "over");
  // Screen readers hear it only when the state changes, not at every key.
  if (counter.dataset.state !== state) {
    counter.dataset.state = state;
    counter.setAttribute("aria-live", state ? "polite" : "off");
  }
}
function setUpCounters(root) {
  for (const counter of root.querySelectorAll("[data-counter-for]")) {
    const box = document.getElementById(counter.dataset.counterFor);
    if (!box || box.dataset.counted) continue;
    box.dataset.counted = "1";
    const described = (box.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    box.setAttribute("aria-describedby", [...described, counter.id].join(" "));
    updateCounter(counter);
  }
}
document.addEventListener("DOMContentLoaded", () => setUpCounters(document));
// Each set-up is idempotent, and an outerHTML swap leaves `event.target` detached: scan all.
document.addEventListener("htmx:afterSwap", () => setUpCounters(document));
document.addEventListener("input", (event) => {
  const box = event.target;
  if (box instanceof HTMLTextAreaElement && box.dataset.counted) {
    const counter = document.querySelector(`[data-counter-for="${box.id}"]`);
    if (counter) updateCounter(counter);
  }
});

// The error summary: focus it when the page comes back with errors; its links focus the
// field (a plain link would only scroll to it).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element && event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) return;
  const field = document.getElementById(link.getAttribute("href").slice(1));
  if (!field) return;
  event.preventDefault();
  const label = field.closest(".field");
  (label || field).scrollIntoView({ block: "start" });
  field.focus({ preventScroll: true });
});

// A long grouped choice (the category tree): a search box in front narrows the list as one
// types; Enter takes the first match. Without JavaScript the grouped list works as it is.
function setUpSearchableSelects(root) {
  for (const select of root.querySelectorAll("select[data-searchable]")) {
    if (select.dataset.searchReady) continue;
    select.dataset.searchReady = "1";
    const search = document.createElement("input");
    search.type = "search";
    search.className = "select-search";
    search.id = `${select.id}_search`;
    search.setAttribute("aria-label", select.dataset.searchLabel || "");
    search.placeholder = select.dataset.searchLabel || "";
    search.setAttribute("aria-controls", select.id);
    select.before(search);
    const matching = () => [...select.options].filter((o) => o.value && !o.hidden);
    search.addEventListener("input", () => {
      const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      for (const group of select.querySelectorAll("optgroup")) {
        let shown = 0;
        for (const option of group.querySelectorAll("option")) {
          const text = `${group.label} ${option.textContent}`.toLowerCase();
          option.hidden = !words.every((word) => text.includes(word));
          if (!option.hidden) shown += 1;
        }
        group.hidden = shown === 0;
      }
      // While searching, show the matches as an open list instead of a closed drop-down.
      const rows = select.querySelectorAll("option:not([hidden]), optgroup:not([hidden])").length;
      if (words.length) select.size = Math.max(2, Math.min(8, rows));
      else select.removeAttribute("size");
    });
    search.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();  // Enter here chooses, it does not send the form
      const first = matching()[0];
      if (first) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        select.focus();
      }
    });
  }
}
document.addEventListener("DOMContentLoaded", () => setUpSearchableSelects(document));
document.addEventListener("htmx:afterSwap", () => setUpSearchableSelects(document));

// "Go back" on an error page: the browser's own back keeps what was typed in the form.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element && event.target.closest("[data-history-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});

// Registration: the office's extra fields belong to the chosen category. When the category
// chosen is not the one they were drawn for (chosen by the agent, or preselected by the
// routing model's suggestion), they are asked for again (`_extra_fields.html`, htmx).
function categoryChanged() {
  const select = document.getElementById("id_category");
  const extra = document.getElementById("extra-fields");
  if (!select || !extra || !extra.hasAttribute("hx-post")) return;
  if (select.value !== (extra.dataset.category || "")) htmx.trigger(extra, "category-changed");
}
document.addEventListener("DOMContentLoaded", categoryChanged);
document.addEventListener("htmx:afterSwap", categoryChanged);
document.addEventListener("change", (event) => {
  if (event.target instanceof HTMLSelectElement && event.target.name === "category") {
    categoryChanged();
  }
});
