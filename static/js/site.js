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
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // Forms marked data-submit-once (filing) ignore a second tap while the first is on its way.
    if (form.hasAttribute && form.hasAttribute("data-submit-once")) {
      if (form.dataset.submitting) event.preventDefault();
      form.dataset.submitting = "1";
    }
  });
})();
