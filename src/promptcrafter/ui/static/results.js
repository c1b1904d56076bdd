// Results sections of the prompt page. Without this file a log's Delete button leads to a
// confirmation page; with it, the browser asks here and the form says it was confirmed.
"use strict";

(function () {
  function setUpConfirmed(root) {
    root.querySelectorAll("form[data-confirm-field]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm-field"))) {
          event.preventDefault();
          return;
        }
        var field = form.querySelector("input[name=confirm]");
        if (!field) {
          field = document.createElement("input");
          field.type = "hidden";
          field.name = "confirm";
          form.appendChild(field);
        }
        field.value = "yes";
      });
    });
  }

  function start() { setUpConfirmed(document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
