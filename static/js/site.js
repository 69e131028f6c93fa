// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    document.querySelectorAll("[data-history-back]").forEach(function (button) {
      if (window.history.length > 1) button.hidden = false;
      button.addEventListener("click", function () { window.history.back(); });
    });
  });

  // Destructive forms ask first (delegated, so forms swapped in by htmx are covered too).
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
