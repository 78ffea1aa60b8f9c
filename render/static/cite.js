/* Copy buttons of the cite box. The archive's own script, loaded only by its reading
   views (never by an original view); it reads the text of the element a button names
   (data-copy) and puts it on the clipboard. Without it the buttons stay hidden and the
   citation is selectable text. */
(function () {
  "use strict";
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  function done(button, ok) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = ok ? (button.closest("[lang=en]") ? "Copied" : "Kopiert")
                            : (button.closest("[lang=en]") ? "Select the text to copy" : "Merk teksten for å kopiere");
    button.setAttribute("data-copied", ok ? "yes" : "no");
  }
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.replace(/\s+/g, " ").trim();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done(button, true); },
          function () { done(button, fallback(text)); });
      } else {
        done(button, fallback(text));
      }
    });
  });
})();
