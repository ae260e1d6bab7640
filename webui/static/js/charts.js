// Dashboard charts: the numbers come from <script type="application/json" id="chart-data">;
// each <canvas data-chart="name"> draws one bar chart. The tables beside them hold the same
// figures, so the page is complete without this file.
(function () {
  "use strict";
  if (typeof window.Chart !== "function") return;
  const source = document.getElementById("chart-data");
  if (!source) return;
  let data;
  try { data = JSON.parse(source.textContent); } catch (e) { return; }
  const colors = ["#0d6efd", "#20c997"];

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const figure = data[canvas.dataset.chart];
    if (!figure || !figure.labels || !figure.labels.length) return;
    const datasets = [{ label: figure.label, data: figure.values, backgroundColor: colors[0] }];
    if (figure.values2) datasets.push({ label: figure.label2, data: figure.values2, backgroundColor: colors[1] });
    const horizontal = figure.labels.length > 8;
    const counts = { beginAtZero: true, ticks: figure.values2 ? {} : { precision: 0 } };  // whole numbers for counts
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: figure.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,  // figures to read, not a show; also what reduced-motion users want
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: datasets.length > 1 } },
        scales: horizontal ? { x: counts, y: {} } : { x: {}, y: counts },
      },
    });
  });
})();
