// OCOP shell behaviour. Loaded as a file (never inline) so the CSP needs no 'unsafe-inline'.
(function () {
  "use strict";

  // htmx ignores failed responses by default, so the user would see nothing happen: say so in
  // the live region. The message text comes from the page (data-htmx-error) so it is translated.
  function showError(text) {
    var region = document.getElementById("ocop-live");
    if (!region) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible shadow";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", region.dataset.closeLabel || "Đóng");
    alert.appendChild(close);
    region.replaceChildren(alert);
  }

  function onFailure(event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    var body = document.body.dataset;
    var text = status === 403 ? body.htmxForbidden : body.htmxError;
    showError(text || "Error");
  }

  document.addEventListener("htmx:responseError", onFailure);
  document.addEventListener("htmx:sendError", onFailure);
})();

// List filters: on a phone they fold behind their "Bộ lọc" button; wider screens keep them open.
// Without JavaScript the <details> stays open (the server renders it so).
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 767.98px)");
  function fold() {
    document.querySelectorAll("details.ocop-filters").forEach(function (details) {
      details.open = !narrow.matches;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fold);
  } else {
    fold();
  }
  if (narrow.addEventListener) narrow.addEventListener("change", fold);
})();
