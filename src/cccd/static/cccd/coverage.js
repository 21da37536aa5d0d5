// The coverage page: the daily chart (people first reached per day, and the coverage by each
// day), and the button that puts the suggested targets in every box.
(function () {
  "use strict";
  var vi = (document.documentElement.lang || "vi") === "vi";
  var fill = document.querySelector("[data-fill-suggestions]");
  if (fill) {
    fill.addEventListener("click", function () {
      document.querySelectorAll("input[data-suggested]").forEach(function (box) {
        box.value = box.dataset.suggested;
      });
    });
  }
  var node = document.getElementById("coverage-data");
  var canvas = document.getElementById("coverage-chart");
  if (!node || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var words = vi
    ? { daily: "Người được thu nhận lần đầu", percent: "Tỷ lệ bao phủ (%)" }
    : { daily: "People reached for the first time", percent: "Coverage (%)" };
  canvas.chart = new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: words.daily, data: data.daily, yAxisID: "day", backgroundColor: "#8fb3d9" },
        { type: "line", label: words.percent, data: data.percent, yAxisID: "percent", borderColor: "#2e7d32", pointRadius: 0, tension: 0.1 }
      ]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        day: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 } },
        percent: { type: "linear", position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } }
      }
    }
  });
  canvas.dataset.ready = "1";
})();
