// Alert rule preview: after htmx swaps in the intervals, draw them as an ECharts timeline
// (one row per series). No inline script (Content-Security-Policy); the data comes in the
// chart element's data-intervals attribute (htmx, its script tags off, drops a json_script
// it swaps in) and is only ever used as text.
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("rule-preview-chart");
    if (!el || !el.dataset.intervals || !window.echarts) {
      return;
    }
    var intervals = JSON.parse(el.dataset.intervals);
    var names = [];
    intervals.forEach(function (i) {
      if (names.indexOf(i.name) < 0) {
        names.push(i.name);
      }
    });
    var now = Date.now();
    var data = intervals.map(function (i) {
      return { value: [names.indexOf(i.name), Date.parse(i.start),
                       i.end ? Date.parse(i.end) : now] };
    });
    var chart = window.echarts.init(el);
    chart.setOption({
      grid: { left: 8, right: 8, top: 8, bottom: 24, containLabel: false },
      xAxis: { type: "time", min: now - 7 * 86400000, max: now },
      yAxis: { type: "category", data: names, show: false },
      tooltip: {
        formatter: function (p) {
          var d = new Date(p.value[1]).toLocaleString();
          return names[p.value[0]].replace(/[<>&]/g, "") + "<br>" + d;
        }
      },
      series: [{
        type: "custom",
        renderItem: function (params, api) {
          var y = api.coord([0, api.value(0)])[1];
          var start = api.coord([api.value(1), api.value(0)]);
          var end = api.coord([api.value(2), api.value(0)]);
          var h = Math.max(4, api.size([0, 1])[1] * 0.6);
          return { type: "rect", shape: { x: start[0], y: y - h / 2,
                                          width: Math.max(2, end[0] - start[0]), height: h },
                   style: { fill: "#d63939" } };
        },
        encode: { x: [1, 2], y: 0 },
        data: data
      }]
    });
  }

  document.addEventListener("htmx:afterSettle", draw);
})();
