// Lượt quét chart: the figures come from <script type="application/json" id="scan-data">
// (json_script: data, not code, so the CSP stays strict). The table under the chart holds every
// number; the canvas is aria-hidden.
(function () {
  "use strict";

  var source = document.getElementById("scan-data");
  var canvas = document.querySelector('canvas[data-chart="scans"]');
  if (!source || !canvas || typeof window.Chart === "undefined") return;
  var data;
  try {
    data = JSON.parse(source.textContent);
  } catch (error) {
    return;
  }
  var numbers = new Intl.NumberFormat("vi-VN");
  var COLOURS = { qr: "#146c43", web: "#0d6efd", api: "#e0a800" };
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  window.Chart.defaults.locale = "vi-VN";
  window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  if (reduceMotion) window.Chart.defaults.animation = false;

  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (series) {
        return { label: series.label, data: series.values, backgroundColor: COLOURS[series.key] || "#adb5bd" };
      }),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true },
        y: {
          stacked: true,
          beginAtZero: true,
          ticks: { precision: 0, callback: function (value) { return numbers.format(value); } },
        },
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: function (context) {
              return context.dataset.label + ": " + numbers.format(context.parsed.y);
            },
          },
        },
      },
    },
  });
})();
