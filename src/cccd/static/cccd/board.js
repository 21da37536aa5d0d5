// cccd queue: the board reads each new call aloud (vi-VN, once enabled by a click, as browsers
// require a user gesture for speech); the desk page binds its buttons to keys.
(function () {
  "use strict";
  var speak = document.getElementById("speak");
  if (speak) {
    var enabled = false;
    var lastKey = null;
    var say = function (text) {
      if (!enabled || !text || !window.speechSynthesis) { return; }
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "vi-VN";
      utterance.rate = 0.9;
      window.speechSynthesis.speak(utterance);
    };
    var check = function () {
      var latest = document.querySelector("[data-testid=latest]");
      if (!latest) { return; }
      var key = latest.getAttribute("data-key");
      if (lastKey !== null && key && key !== lastKey) { say(latest.getAttribute("data-text")); }
      lastKey = key;
    };
    speak.addEventListener("click", function () {
      enabled = !enabled;
      speak.textContent = speak.getAttribute(enabled ? "data-on" : "data-off");
      if (enabled) { say(document.querySelector("[data-testid=latest]").getAttribute("data-text")); }
      if (enabled && document.documentElement.requestFullscreen) {
        document.documentElement.requestFullscreen().catch(function () {});
      }
    });
    check();
    document.body.addEventListener("htmx:afterSwap", check);
  }

  // Desk page: N or Space calls the next number; D done, R call again, S did not come.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) { return; }
    var key = event.key === " " ? "n" : event.key.toLowerCase();
    var button = document.querySelector("button[data-key='" + key + "']");
    if (button && !button.disabled) {
      event.preventDefault();
      button.disabled = true; // one press, one request: a held key or a double press sends one call
      button.form.submit();
    }
  });
})();
