// The ontwerpsessie screen: keyboard navigation between slides. Loaded only on that page.
//
// Every key follows one of the page's own links (rel="next", rel="prev", data-slide-nav), so
// a keyboard does exactly what the links do without JavaScript. Arrow keys follow the reading
// direction: in a right-to-left page the left arrow goes forward.
(function () {
  "use strict";

  var KEYS = {
    ArrowRight: "forward",
    ArrowLeft: "backward",
    PageDown: "next",
    " ": "next",
    PageUp: "prev",
    Home: "first",
    End: "last",
    o: "overview",
    O: "overview"
  };

  function isTyping(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || tag === "BUTTON" ||
      element.isContentEditable;
  }

  function linkFor(action) {
    if (action === "forward" || action === "backward") {
      var rtl = document.documentElement.dir === "rtl";
      action = (action === "forward") !== rtl ? "next" : "prev";
    }
    return document.querySelector('[data-slide-nav="' + action + '"]');
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.shiftKey && event.key !== "O") { return; }
    if (isTyping(event.target)) { return; }
    var action = KEYS[event.key];
    if (!action) { return; }
    var link = linkFor(action);
    if (!link || !link.href || link.getAttribute("aria-current") === "page") { return; }
    event.preventDefault();
    window.location.assign(link.href);
  });
})();
