// Export links of filtered lists (core/includes/export_buttons.html). The server renders them with
// the filters of the page load; htmx filtering only rewrites the address bar, so on click the link
// takes the current address's filters instead (the page number dropped, the format set).
(function () {
  "use strict";
  if (window.ocopExportLinks) return;
  window.ocopExportLinks = true;

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-export]") : null;
    if (!link) return;
    var params = new URLSearchParams(window.location.search);
    params.delete("page");
    params.set("export", link.dataset.export);
    link.href = window.location.pathname + "?" + params.toString();
  });
})();
