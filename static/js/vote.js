// The ballot: a running total of points or euros. The page works without this file; the
// server checks every ballot anyway.
(function () {
  "use strict";

  function update(form, total) {
    var limit = parseInt(form.getAttribute("data-vote-limit"), 10) || 0;
    var sum = 0;
    form.querySelectorAll("[data-vote-amount]").forEach(function (input) {
      var text = input.value.trim();
      if (/^[0-9]+$/.test(text)) { sum += parseInt(text, 10); }
    });
    var template = total.getAttribute("data-template") || "";
    total.textContent = template.replace("{sum}", sum).replace("{limit}", limit);
    total.classList.toggle("vote-total-over", sum > limit);
    total.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-vote-limit]");
    var total = form && form.querySelector("[data-vote-total]");
    if (!form || !total) { return; }
    form.addEventListener("input", function () { update(form, total); });
    update(form, total);
  });
})();
