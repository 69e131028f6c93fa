// Draws a merchant's complaints per month as stacked bars, one colour per category, from the figures the profile
// embeds (json_script "profile-chart-data"). The table under the chart holds every figure: screen readers read
// it, and the page is complete without this script.
(function () {
  "use strict";

  var source = document.getElementById("profile-chart-data");
  var el = document.querySelector("[data-profile-chart]");
  if (!source || !el || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var lang = (document.documentElement.lang || "").toLowerCase();
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // The site's brand red first, then colours that stay apart for colour-blind readers.
  var COLORS = ["#b3261e", "#1d4e89", "#8a5a00", "#1f7a3a", "#6b3fa0", "#5b6475", "#c2185b", "#00838f", "#ef6c00", "#37474f"];

  var chart = window.echarts.init(el, null, { locale: lang.indexOf("zh") === 0 ? "ZH" : "EN", renderer: "canvas" });
  chart.on("finished", function () { el.setAttribute("data-drawn", "1"); });
  chart.setOption({
    animation: !still,
    color: COLORS,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, type: "scroll" },
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "complaints", data: s.data };
    })
  });

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { chart.resize(); }, 150);
  });
})();
