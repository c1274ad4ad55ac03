// Buurtscan: small improvements on top of htmx. Every page works without this file.
(function () {
  "use strict";
  // After a boosted page swap, put focus where a keyboard or screen-reader user expects it:
  // on the error summary when there is one, otherwise on the main content.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail || !event.detail.boosted) { return; }
    var target = document.getElementById("error-summary") || document.getElementById("main");
    if (target) { target.focus(); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
