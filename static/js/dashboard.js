// Draws the dashboard's charts with ECharts from the figures the page embeds (json_script "dashboard-charts").
// Every figure is also in the table next to its chart: that table, not the canvas, is what screen readers read,
// and the page stays complete without this script.
(function () {
  "use strict";

  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var lang = (document.documentElement.lang || "").toLowerCase();
  var locale = lang.indexOf("zh") === 0 ? "ZH" : "EN";
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // The site's brand red for complaints, a blue that stays distinct from it for colour-blind readers.
  var COLORS = ["#b3261e", "#1d4e89"];
  var BAR_HEIGHT = 26;
  var charts = [];

  function start(el) {
    var chart = window.echarts.init(el, null, { locale: locale, renderer: "canvas" });
    chart.on("finished", function () { el.setAttribute("data-drawn", "1"); });
    charts.push(chart);
    return chart;
  }

  function timeseries(el) {
    var series = data.timeseries;
    start(el).setOption({
      animation: !still,
      color: COLORS,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: series.periods },
      yAxis: [
        // Axis names run inwards from the axis, so a long one is not cut off at the chart's edge.
        { type: "value", name: data.names.complaints, minInterval: 1, nameTextStyle: { align: "left" } },
        { type: "value", name: data.names.loss, splitLine: { show: false }, nameTextStyle: { align: "right" } }
      ],
      series: [
        { name: data.names.complaints, type: "bar", data: series.complaints },
        // Money arrives as exact decimal strings; the chart only needs their size.
        { name: data.names.loss, type: "line", yAxisIndex: 1, showSymbol: false, data: series.loss.map(Number) }
      ]
    });
  }

  function ranked(el, rows) {
    // A bar per row, largest at the top: the box grows with the number of rows instead of squeezing them.
    el.style.height = Math.max(8 * 16, rows.labels.length * BAR_HEIGHT + 24) + "px";
    start(el).setOption({
      animation: !still,
      color: COLORS,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        inverse: true,
        data: rows.labels,
        axisLabel: { width: 150, overflow: "truncate" }
      },
      series: [
        { name: data.names.complaints, type: "bar", data: rows.complaints, label: { show: true, position: "right" } }
      ]
    });
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var kind = el.getAttribute("data-chart");
    if (kind === "timeseries") timeseries(el);
    else if (data.breakdowns[kind]) ranked(el, data.breakdowns[kind]);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (chart) { chart.resize(); });
    }, 150);
  });
})();
