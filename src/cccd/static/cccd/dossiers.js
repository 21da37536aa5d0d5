// The back office's dossier screens, by keyboard: j/← previous, k/→ next, c complete, f fix (the
// return-for-correction reason, filled with what is missing, or the first gap), a approve, o open
// the first dossier of the list. Elements opt in with data-key; nothing here is needed for the
// pages to work (every action is a plain link or form).
(function () {
  "use strict";

  const KEYS = { j: "prev", ArrowLeft: "prev", k: "next", ArrowRight: "next", c: "c", f: "f", a: "a", o: "o" };

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (typing(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    const name = KEYS[e.key];
    if (!name) return;
    const el = document.querySelector('[data-key="' + name + '"]');
    if (!el) return;
    e.preventDefault();
    if (el.tagName === "A") {
      window.location.assign(el.href);
    } else if (el.tagName === "BUTTON") {
      if (el.disabled) { // complete is not possible: show why
        const gaps = document.querySelector('[data-testid="gaps"]');
        if (gaps) gaps.scrollIntoView({ block: "center" });
      } else {
        el.form.requestSubmit(el);
      }
    } else {
      if (el.tagName === "INPUT" && !el.value && el.dataset.fill) el.value = el.dataset.fill;
      el.scrollIntoView({ block: "center" });
      el.focus();
    }
  });

  // "Select all on this page" for the bulk approval.
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    const boxes = all.form.querySelectorAll('input[type="checkbox"][name="ids"]');
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  });

  // A move is sent once, however tired the finger.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.dataset.sent) { e.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
})();
