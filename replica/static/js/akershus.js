/* Akershus fylkeskommune - små forbedringer av sidene. Sidene virker uten skript. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); }
    else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    // Vis tekstfeltene i tilbakemeldingsskjemaet først når Ja eller Nei er valgt.
    var form = document.querySelector(".feedback-form");
    if (form) {
      var extras = form.querySelectorAll("textarea, input[type=email]");
      var show = function () {
        for (var i = 0; i < extras.length; i++) { extras[i].parentNode.style.display = "block"; }
      };
      var radios = form.querySelectorAll("input[name=svar]");
      for (var j = 0; j < radios.length; j++) { radios[j].addEventListener("change", show); }
    }

    // Marker lenker til PDF-dokumenter for skjermlesere.
    var links = document.querySelectorAll(".article-body a[href$='.pdf']");
    for (var k = 0; k < links.length; k++) {
      links[k].setAttribute("aria-label", links[k].textContent + " (PDF-dokument)");
    }
  });
})();
