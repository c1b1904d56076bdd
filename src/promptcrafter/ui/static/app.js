// PromptCrafter UI enhancements. Every page works without this file; it adds live search,
// copy buttons and confirmations. No inline script anywhere: behaviour hangs off data-*.
"use strict";

(function () {
  // <button data-copy="ID">: copies the text of element ID.
  function setUpCopy(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source) return;
        var text = source.value !== undefined ? source.value : source.textContent;
        var done = function () {
          var before = button.textContent;
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = before; }, 1500);
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(done, function () {});
        }
      });
    });
  }

  // <form data-confirm="Question?">: asks before submitting (the server asks again
  // without JavaScript, on its own confirmation page, where a page needs it).
  function setUpConfirm(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  // <input data-search-url="/ui/search" data-target="ID">: as you type (debounced), GET the
  // URL with ?q=... and put the HTML fragment it answers into element ID. Stale answers
  // (an earlier keystroke finishing late) are dropped.
  function setUpLiveSearch(root) {
    root.querySelectorAll("input[data-search-url]").forEach(function (input) {
      var target = document.getElementById(input.getAttribute("data-target"));
      if (!target) return;
      var timer = null, latest = 0;
      var param = input.getAttribute("name") || "q";
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var ticket = ++latest;
          var url = new URL(input.getAttribute("data-search-url"), window.location.href);
          url.searchParams.set(param, input.value);
          fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
            .then(function (answer) {
              // Sent to log in (the session ended): show that page rather than a fragment.
              if (answer.redirected) { window.location.reload(); return Promise.reject(answer); }
              return answer.ok ? answer.text() : Promise.reject(answer);
            })
            .then(function (html) {
              if (ticket !== latest) return;
              target.innerHTML = html;  // server-rendered and escaped fragment of our own
              target.setAttribute("aria-busy", "false");
            }, function () {});
          target.setAttribute("aria-busy", "true");
        }, 200);
      });
    });
  }

  function start() {
    setUpCopy(document);
    setUpConfirm(document);
    setUpLiveSearch(document);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
