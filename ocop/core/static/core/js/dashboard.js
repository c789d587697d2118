// Tổng quan charts. The figures come from the page's <script type="application/json"
// id="dashboard-data"> block (json_script: data, not code, so the CSP stays strict). Every chart
// repeats a table next to it; the canvases are aria-hidden and the tables are what counts.
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") return;
  var data;
  try {
    data = JSON.parse(source.textContent);
  } catch (error) {
    return; // the tables still show every number
  }

  var Chart = window.Chart;
  var numbers = new Intl.NumberFormat("vi-VN");
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // Brand green for "OCOP", gold shades for the stars, red for revoked, grey for "no star".
  var STAR_COLOURS = ["#e0a800", "#c77c02", "#a35f00", "#8a5300", "#dc3545", "#adb5bd"]; // 3, 4, 4 tiềm năng 5, 5, thu hồi, chưa có sao
  var PALETTE = ["#146c43", "#e0a800", "#0d6efd", "#8a5300", "#6f42c1", "#20c997", "#adb5bd"];

  Chart.defaults.locale = "vi-VN";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#212529";
  if (reduceMotion) Chart.defaults.animation = false;

  function tooltipLabel(context) {
    var name = context.dataset.label || context.label || "";
    var parsed = context.parsed;
    var value = typeof parsed === "object" ? parsed[context.chart.options.indexAxis === "y" ? "x" : "y"] : parsed;
    return name + ": " + numbers.format(value);
  }

  function countAxis() {
    return {
      beginAtZero: true,
      ticks: {
        precision: 0,
        callback: function (value) {
          return numbers.format(value);
        },
      },
    };
  }

  function draw(name, config) {
    var canvas = document.querySelector('canvas[data-chart="' + name + '"]');
    if (!canvas) return;
    var options = config.options || {};
    options.responsive = true;
    options.maintainAspectRatio = false;
    options.plugins = options.plugins || {};
    options.plugins.tooltip = { callbacks: { label: tooltipLabel } };
    config.options = options;
    new Chart(canvas, config);
  }

  function bars(name, chart, colours, stacked) {
    draw(name, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.series.map(function (series, index) {
          return { label: series.label, data: series.values, backgroundColor: colours[index] };
        }),
      },
      options: {
        indexAxis: "y",
        scales: { x: Object.assign(countAxis(), { stacked: stacked }), y: { stacked: stacked } },
      },
    });
  }

  if (data.stars) {
    draw("stars", {
      type: "doughnut",
      data: {
        labels: data.stars.labels,
        datasets: [{ data: data.stars.values, backgroundColor: STAR_COLOURS }],
      },
      options: { plugins: { legend: { position: "right" } } },
    });
  }

  if (data.producers) {
    draw("producers", {
      type: "doughnut",
      data: {
        labels: data.producers.labels,
        datasets: [{ data: data.producers.values, backgroundColor: PALETTE }],
      },
      options: { plugins: { legend: { position: "bottom" } } },
    });
  }

  if (data.sectors) bars("sectors", data.sectors, ["#adb5bd", "#146c43"], false);
  if (data.provinces && data.provinces.labels.length > 1) bars("provinces", data.provinces, STAR_COLOURS, true);
})();
