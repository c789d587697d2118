// A signal's daily counts: figures from <script type="application/json" id="signal-data">
// (json_script: data, not code, so the CSP stays strict); the table under it holds every number.
(function () {
  "use strict";

  var source = document.getElementById("signal-data");
  var canvas = document.querySelector('canvas[data-chart="signal"]');
  if (!source || !canvas || typeof window.Chart === "undefined") return;
  var data;
  try {
    data = JSON.parse(source.textContent);
  } catch (error) {
    return;
  }
  var numbers = new Intl.NumberFormat("vi-VN");
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  window.Chart.defaults.locale = "vi-VN";
  if (reduceMotion) window.Chart.defaults.animation = false;
  new window.Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: "#0d6efd" }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0, callback: function (v) { return numbers.format(v); } } } },
      plugins: { legend: { display: false } },
    },
  });
})();
