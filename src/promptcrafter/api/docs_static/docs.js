// Starts Swagger UI on /docs. It lives in a file of its own because the page's
// Content-Security-Policy allows scripts from this origin only, never inline ones.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  // The OpenAPI document's path comes from the page, which takes it from the app.
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    // No badge from the public validator: the page talks to this server only.
    validatorUrl: null,
  });
})();
