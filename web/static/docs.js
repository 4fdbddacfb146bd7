// Starts Swagger UI on /docs from Tolerance's own copy (web/vendor/, from npm's swagger-ui-dist):
// no CDN, and no inline script, which the page's Content-Security-Policy does not allow.
/* global SwaggerUIBundle */
if (typeof SwaggerUIBundle === "function") {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Its "validator" badge would ask validator.swagger.io about the document: nothing leaves.
    validatorUrl: null,
  });
} else {
  document.getElementById("docs-missing").hidden = false;
}
