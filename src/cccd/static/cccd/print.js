// Buttons marked data-print open the browser's print dialog (queue slips, class sheets).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
