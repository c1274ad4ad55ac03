// Buurtscan: small improvements on top of htmx. Every page works without this file.
(function () {
  "use strict";

  // After a boosted page swap, put focus where a keyboard or screen-reader user expects it:
  // on the error summary when there is one, otherwise on the main content.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail || !event.detail.boosted) { return; }
    var target = document.getElementById("error-summary") || document.getElementById("main");
    if (target) { target.focus(); }
    showReadAloud();
  });

  // Read aloud: the browser's own speech synthesis, nothing is sent anywhere. The button is
  // shown only when the browser has a voice for the page's language.
  var synth = window.speechSynthesis;
  var pageLanguage = document.documentElement.lang;

  function voiceFor(language) {
    if (!synth) { return null; }
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().split(/[-_]/)[0] === language) {
        return voices[i];
      }
    }
    return null;
  }

  function textOf(question) {
    var parts = [];
    var title = question.querySelector(".question-text");
    if (title) { parts.push(title.textContent); }
    var help = question.querySelector(".help");
    if (help) { parts.push(help.textContent); }
    question.querySelectorAll(".option-label, option").forEach(function (el) {
      if (el.value !== "") { parts.push(el.textContent); }
    });
    return parts.join(". ").replace(/\s+/g, " ").trim();
  }

  function showReadAloud() {
    var voice = voiceFor(pageLanguage);
    document.querySelectorAll("[data-read-aloud]").forEach(function (button) {
      button.hidden = !voice;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-read-aloud]");
    if (!button || !synth) { return; }
    var question = document.getElementById(button.getAttribute("data-read-aloud"));
    if (!question) { return; }
    synth.cancel();
    var utterance = new SpeechSynthesisUtterance(textOf(question));
    utterance.lang = pageLanguage;
    var voice = voiceFor(pageLanguage);
    if (voice) { utterance.voice = voice; }
    synth.speak(utterance);
  });

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    showReadAloud();
    if (synth && "onvoiceschanged" in synth) {
      synth.addEventListener("voiceschanged", showReadAloud);
    }
  });
})();

// The code page: a letter's QR link carries the access code after "#", which browsers never
// send to the server. Put it in the code field, then drop it from the address bar and history.
(function () {
  "use strict";

  function fillCodeFromHash() {
    var input = document.querySelector("[data-code-from-hash]");
    if (!input || !window.location.hash) { return; }
    var code = "";
    try {
      code = decodeURIComponent(window.location.hash.slice(1));
    } catch (error) {
      code = "";
    }
    code = code.replace(/[^0-9A-Za-z -]/g, "").slice(0, 30);
    if (code && !input.value) { input.value = code; }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
    }
  }

  // Switching the language is a link (and a redirect back here): it takes the code along
  // after "#", so a resident who opened the letter's QR code need not type it again.
  function keepCodeOnLanguageLinks(event) {
    var link = event.target.closest && event.target.closest(".language-switcher a[hreflang]");
    var input = document.querySelector("[data-code-from-hash]");
    if (!link || !input || !input.value) { return; }
    link.hash = encodeURIComponent(input.value.replace(/[^0-9A-Za-z -]/g, "").slice(0, 30));
  }

  document.addEventListener("DOMContentLoaded", fillCodeFromHash);
  document.addEventListener("htmx:afterSettle", fillCodeFromHash);
  document.addEventListener("click", keepCodeOnLanguageLinks);
})();

// A staff session that ended while a page refreshed itself (progress, the ontwerpsessie
// screen): the server redirects the fragment request to the login page. Go there as a whole
// page instead of swapping a login form into a part of the old one.
(function () {
  "use strict";

  var LOGIN_PATHS = /^\/staff\/(inloggen|tweede-stap)(\/|$)/;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (!xhr || !xhr.responseURL || event.detail.boosted) { return; }
    var landed = new URL(xhr.responseURL);
    if (landed.origin === window.location.origin && LOGIN_PATHS.test(landed.pathname) &&
        !LOGIN_PATHS.test(window.location.pathname)) {
      event.detail.shouldSwap = false;
      window.location.assign(landed.pathname);
    }
  });
})();
