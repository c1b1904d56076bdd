// The prompt page's deletes (the prompt, a label): when the dialog of app.js's data-confirm
// was accepted, mark the form confirmed so the server deletes at once. Without this script
// the field stays empty and the server shows its own confirmation page instead.
"use strict";

(function () {
  function start() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      var field = form.querySelector("input[name=confirmed]");
      if (!field) return;
      form.addEventListener("submit", function (event) {
        if (!event.defaultPrevented) field.value = "yes";
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
