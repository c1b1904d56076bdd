// The account page: a revoke form that JavaScript already confirmed (app.js data-confirm)
// says so, so the server revokes at once instead of asking again on its own page.
"use strict";

(function () {
  document.querySelectorAll("input[data-confirmed]").forEach(function (input) {
    // Registered after app.js's confirm handler (this file loads later), so a refused
    // confirmation has already cancelled the submit when this runs.
    input.form.addEventListener("submit", function (event) {
      if (!event.defaultPrevented) input.value = "yes";
    });
  });
})();
