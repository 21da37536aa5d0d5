// The dashboard's chart: intakes per day (bars), the cumulative line and the target line.
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  var canvas = document.getElementById("daily-chart");
  if (!node || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var lang = document.documentElement.lang || "vi";
  var words = lang === "vi"
    ? { daily: "Hồ sơ trong ngày", cumulative: "Lũy kế", target: "Chỉ tiêu" }
    : { daily: "Intakes that day", cumulative: "Cumulative", target: "Target" };
  var datasets = [
    { type: "bar", label: words.daily, data: data.daily, yAxisID: "day", backgroundColor: "#8fb3d9" },
    { type: "line", label: words.cumulative, data: data.cumulative, yAxisID: "total", borderColor: "#1d4f91", pointRadius: 0, tension: 0.1 }
  ];
  if (data.target) {
    datasets.push({ type: "line", label: words.target, data: data.target, yAxisID: "total", borderColor: "#c0392b", borderDash: [6, 4], pointRadius: 0 });
  }
  canvas.chart = new Chart(canvas, {
    data: { labels: data.labels, datasets: datasets },
    options: {
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        day: { type: "linear", position: "left", beginAtZero: true },
        total: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false } }
      }
    }
  });
  canvas.dataset.ready = "1";
})();
