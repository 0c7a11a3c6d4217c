// Swagger UI for /api/v1/docs, started from a file because the CSP forbids inline scripts.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: node.getAttribute("data-spec-url"),
    domNode: node,
    deepLinking: true,
    // Signing in with a token in the page never sends it anywhere but this API.
    persistAuthorization: false,
    // The validator badge would call an outside service; the CSP forbids that anyway.
    validatorUrl: null,
  });
})();
