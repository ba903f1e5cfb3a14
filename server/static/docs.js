// /docs: Swagger UI over the server's own OpenAPI description; no request leaves the server (no validator badge).
"use strict";
(function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
  });
})();
