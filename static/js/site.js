/* Small site-wide behaviour: focus the error summary, ask before destructive buttons. */
(function () {
  "use strict";
  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-focus-on-load]");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  document.body && document.body.addEventListener("htmx:afterSwap", function (event) { focusSummary(event.target); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})();
