// The cabinet's charts, drawn by Chart.js (frontend_static/vendor/chart.umd.min.js, from the
// npm registry at set-up; loaded as a classic script before this module, so window.Chart).
// Each <canvas data-chart="ID"> names a json_script block with its numbers; the axis titles
// come translated from the template (data-x-title, data-y-title). The same numbers are in a
// table with a caption beside each canvas, for screen readers and for pages without script.
// No inline script or style: Chart.js sizes the canvas through the DOM, which the page's CSP
// (style-src 'self') allows.

const MIN_FONT = 13; // px; never below 12 anywhere on the chart

function readData(canvas) {
  const node = document.getElementById(canvas.dataset.chart);
  return node ? JSON.parse(node.textContent) : null;
}

function axisTitle(text) {
  return text ? { display: true, text, font: { size: MIN_FONT, weight: "bold" } } : { display: false };
}

function draw(canvas, Chart) {
  const data = readData(canvas);
  if (!data || !data.series.length) return null;
  const horizontal = Boolean(data.horizontal);
  // A horizontal chart grows with its rows (CSSOM, not an inline style attribute).
  if (horizontal) canvas.parentElement.style.height = `${96 + 44 * data.labels.length}px`;
  const valueAxis = horizontal ? "x" : "y";
  const categoryAxis = horizontal ? "y" : "x";
  const titles = { x: axisTitle(canvas.dataset.xTitle), y: axisTitle(canvas.dataset.yTitle) };
  const scales = {
    [categoryAxis]: {
      stacked: data.stacked,
      title: titles[categoryAxis],
      ticks: { font: { size: MIN_FONT }, autoSkip: true, maxRotation: 60 },
    },
    [valueAxis]: {
      stacked: data.stacked,
      beginAtZero: true,
      title: titles[valueAxis],
      ticks: { font: { size: MIN_FONT }, precision: 0 },
    },
  };
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map((series) => ({
        label: series.name,
        data: series.values,
        backgroundColor: series.colour,
        borderColor: "#1d232b",
        borderWidth: 1,
      })),
    },
    options: {
      indexAxis: horizontal ? "y" : "x",
      locale: document.documentElement.lang || undefined,
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales,
      plugins: {
        legend: {
          display: true,
          position: "bottom",
          labels: { font: { size: MIN_FONT }, boxWidth: 14 },
        },
        title: { display: false },
        tooltip: { titleFont: { size: MIN_FONT }, bodyFont: { size: MIN_FONT } },
      },
    },
  });
}

export function drawAll(root = document) {
  const Chart = window.Chart;
  if (!Chart) return [];
  Chart.defaults.font.size = MIN_FONT;
  Chart.defaults.color = "#1d232b";
  return [...root.querySelectorAll("canvas[data-chart]")]
    .map((canvas) => draw(canvas, Chart))
    .filter(Boolean);
}

drawAll();
