// The moderation queue from the keyboard: j / k move to the next / previous complaint, x ticks it, Enter opens it
// (the focused element is the complaint's link). Keys typed into a form field are left alone. The page works the
// same without this: every row is a real checkbox and a real link, in reading order.
(function () {
  "use strict";

  var queue = document.querySelector("[data-queue]");
  if (!queue) return;

  function links() {
    return Array.prototype.slice.call(queue.querySelectorAll("[data-queue-link]"));
  }

  function current(all) {
    var row = document.activeElement && document.activeElement.closest("[data-queue-row]");
    return row ? all.indexOf(row.querySelector("[data-queue-link]")) : -1;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target.closest && target.closest("input:not([type=checkbox]), select, textarea, [contenteditable]")) return;
    var all = links();
    if (!all.length) return;
    var index = current(all);
    if (event.key === "j" || event.key === "k") {
      var next = event.key === "j" ? Math.min(index + 1, all.length - 1) : Math.max(index - 1, 0);
      all[index === -1 ? 0 : next].focus();
      event.preventDefault();
    } else if (event.key === "x" && index !== -1) {
      var box = all[index].closest("[data-queue-row]").querySelector("input[type=checkbox]");
      box.checked = !box.checked;
      event.preventDefault();
    }
  });
})();
