// Starts Redoc on /redoc from Tolerance's own copy (web/vendor/, from npm's redoc): no CDN, no
// web fonts from elsewhere, and no inline script, which the page's Content-Security-Policy forbids.
/* global Redoc */
if (typeof Redoc === "object" && Redoc !== null) {
  // Search runs in a worker made from a blob: URL, which the page's policy (scripts from this
  // server only) does not allow; the browser's own find-in-page does the same here.
  Redoc.init("/openapi.json", { disableSearch: true }, document.getElementById("redoc"));
} else {
  document.getElementById("docs-missing").hidden = false;
}
