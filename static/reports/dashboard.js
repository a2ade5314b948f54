// Draws the dashboard's charts with Apache ECharts (static/vendor/echarts). The tables
// beside them hold the same figures for screen readers and without JavaScript; a click on a
// bar opens its cases, as the table's link does.
document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("stats-charts");
  if (!data || !window.echarts) return;
  const charts = [];
  for (const chart of JSON.parse(data.textContent)) {
    const box = document.getElementById(chart.id);
    if (!box || !chart.labels.length) continue;
    const drawing = window.echarts.init(box, null, { renderer: "svg" });
    const horizontal = !chart.is_period;
    const categoryAxis = { type: "category", data: chart.labels, axisLabel: { interval: 0, hideOverlap: true } };
    const valueAxis = { type: "value", minInterval: 1 };
    if (horizontal) categoryAxis.inverse = true;
    drawing.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: chart.names, top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: [
        { name: chart.names[0], type: "bar", data: chart.current, itemStyle: { color: "#0b4f8a" }, cursor: "pointer" },
        { name: chart.names[1], type: "bar", data: chart.previous, itemStyle: { color: "#9aa7b5" }, silent: true },
      ],
    });
    drawing.on("click", (event) => {
      if (event.seriesIndex === 0 && chart.links[event.dataIndex]) window.location.href = chart.links[event.dataIndex];
    });
    if (horizontal) box.style.height = `${Math.max(12, chart.labels.length * 2.2 + 4)}rem`;
    drawing.resize();
    charts.push(drawing);
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
});
