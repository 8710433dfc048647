// Starts Swagger UI on /api/docs from the files the package ships (no CDN, no inline script: the
// Content-Security-Policy allows scripts from this site only).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
