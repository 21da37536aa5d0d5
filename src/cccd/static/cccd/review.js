// The review of doubtful roster rows, by keyboard: 1–9 pick a candidate, R reject, N not in the
// register, J skip. Each key presses the button or link that carries it (data-key), so the form
// sends exactly what a click would; nothing here is needed for the page to work.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.target.matches("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = document.querySelector('#decide [data-key="' + event.key.toLowerCase() + '"]');
    if (target) { event.preventDefault(); target.click(); }
  });
})();
