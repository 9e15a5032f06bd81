// recon's charts: every element with data-chart holds a chart's figures as JSON (written by
// the server from the same figures as the table beside it); drawn with the embedded ECharts.
// Money arrives as exact decimal text; it becomes a number only to be drawn.
(function () {
  "use strict";
  const zh = document.documentElement.lang.startsWith("zh");
  const money = new Intl.NumberFormat(zh ? "zh-CN" : "en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const unit = (spec) => spec.unit || (spec.currency ? (zh ? "金额（" + spec.currency + "）" : "Amount (" + spec.currency + ")") : (zh ? "金额" : "Amount"));
  function draw(el) {
    let spec;
    try { spec = JSON.parse(el.dataset.chart); } catch (e) { return; }
    const chart = echarts.init(el, null, { renderer: "canvas", locale: zh ? "ZH" : "EN" });
    const kind = spec.kind || "bar";
    const series = spec.series.map((s) => ({
      name: s.name,
      type: kind === "bar" ? "bar" : "line",
      data: s.values.map((v) => (v === "" || v === null ? null : Number(v))),
      smooth: false,
      stack: s.stack || undefined,
      areaStyle: s.area ? { opacity: s.area } : undefined,
      lineStyle: s.hidden ? { opacity: 0 } : undefined,
      symbol: s.hidden ? "none" : undefined,
      tooltip: s.hidden ? { show: false } : undefined,
    }));
    // An 80% range: its low edge carries an invisible stack, the shaded width above it
    // reaches the high edge; the tooltip says the edges, not the width.
    if (spec.band) {
      const low = spec.band.low.map(Number);
      const high = spec.band.high.map(Number);
      series.push({ name: spec.band.low_name, type: "line", data: low, stack: "band", symbol: "none",
        lineStyle: { opacity: 0 }, tooltip: { show: false } });
      series.push({ name: spec.band.high_name, type: "line", data: high.map((h, i) => h - low[i]), stack: "band",
        symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { opacity: 0.25 }, tooltip: { show: false } });
    }
    const cur = spec.currency ? spec.currency + " " : "";
    const show = (v) => (v === null || v === undefined || Number.isNaN(v) ? "—" : cur + money.format(v));
    chart.setOption({
      animation: false,
      // Drawn on the canvas: the HTML tooltip would need inline styles, which the site's
      // content security policy refuses.
      tooltip: {
        trigger: "axis",
        renderMode: "richText",
        valueFormatter: show,
        formatter: spec.band ? (ps) => {
          const i = ps[0].dataIndex;
          const lines = ps.filter((p) => p.seriesIndex < spec.series.length).map((p) => p.seriesName + "  " + show(p.value));
          lines.push(spec.band.low_name + " – " + spec.band.high_name + "  " + show(Number(spec.band.low[i])) + " – " + show(Number(spec.band.high[i])));
          return ps[0].axisValueLabel + "\n" + lines.join("\n");
        } : undefined,
      },
      legend: { top: 0, data: spec.series.filter((s) => !s.hidden).map((s) => s.name) },
      grid: { left: 90, right: 24, top: 36, bottom: 56 },
      xAxis: { type: "category", name: spec.axis, nameLocation: "middle", nameGap: 34, data: spec.labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", name: unit(spec), axisLabel: { formatter: (v) => money.format(v).replace(/\.00$/, "") } },
      series: series,
    });
    window.addEventListener("resize", () => chart.resize());
    el.setAttribute("data-drawn", "1");
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
