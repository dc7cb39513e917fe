// The funnel chart on /reports/, drawn by Chart.js (frontend_static/vendor/chart.umd.min.js,
// from the npm registry at set-up; loaded as a classic deferred script before this module, so
// window.Chart). The numbers come from a JSON data island (json_script, named by the canvas's
// data-report-chart); every label arrives translated from the server, so this file holds no
// text of its own. The same numbers stand in the table under the chart (the chart is hidden
// from screen readers). No inline script or style: Chart.js sizes the canvas through the
// CSSOM, which the page's CSP (style-src 'self') allows.

const FONT = 13; // px
const COLOUR = "#0072B2"; // Okabe–Ito blue, as the cabinet's charts

function readData(canvas) {
  const node = document.getElementById(canvas.dataset.reportChart);
  return node ? JSON.parse(node.textContent) : null;
}

export function drawFunnel(canvas, Chart) {
  const data = readData(canvas);
  if (!data || !data.series.length) return null;
  const title = canvas.dataset.valueTitle;
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map((series) => ({
        label: series.name,
        data: series.values,
        backgroundColor: COLOUR,
        borderColor: "#1d232b",
        borderWidth: 1,
      })),
    },
    options: {
      indexAxis: "y",
      locale: document.documentElement.lang || undefined,
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: {
          beginAtZero: true,
          title: title ? { display: true, text: title, font: { size: FONT, weight: "bold" } } : { display: false },
          ticks: { font: { size: FONT }, precision: 0 },
        },
        y: { ticks: { font: { size: FONT } } },
      },
      plugins: {
        legend: { display: true, position: "bottom", labels: { font: { size: FONT }, boxWidth: 14 } },
        tooltip: { titleFont: { size: FONT }, bodyFont: { size: FONT } },
      },
    },
  });
}

export function drawAll(root = document) {
  const Chart = window.Chart;
  if (!Chart) return [];
  Chart.defaults.font.size = FONT;
  Chart.defaults.color = "#1d232b";
  return [...root.querySelectorAll("canvas[data-report-chart]")]
    .map((canvas) => drawFunnel(canvas, Chart))
    .filter(Boolean);
}

drawAll();
