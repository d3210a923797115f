// An item's metric charts: ECharts line charts of the scoped query_range API
// (monitoring:item_metrics). No inline script (the Content-Security-Policy forbids it);
// data from the server is only ever inserted as text.
(function () {
  "use strict";

  var root = document.getElementById("metrics-charts");
  if (!root || !window.echarts) {
    return;
  }
  var url = root.dataset.url;
  var item = root.dataset.item;
  var points = parseInt(root.dataset.points, 10) || 300;
  var rangeLinks = document.querySelectorAll("#metrics-ranges [data-range]");
  var charts = [];

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function label(ms, span) {
    var d = new Date(ms);
    var time = pad(d.getHours()) + ":" + pad(d.getMinutes());
    return span > 86400 ? (d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + time : time;
  }

  function unitFormatter(unit) {
    return function (value) {
      if (value === null || value === undefined || isNaN(value)) { return "–"; }
      var abs = Math.abs(value);
      var shown = abs >= 100 ? value.toFixed(0) : abs >= 1 ? value.toFixed(2) : value.toPrecision(3);
      return unit === "%" ? shown + " %" : unit === "s" ? shown + " s" : shown;
    };
  }

  function seriesName(metric, legend) {
    if (legend && metric[legend]) { return metric[legend]; }
    var name = metric.__name__ || "";
    var rest = Object.keys(metric).filter(function (k) {
      return k !== "__name__" && k !== "careops_item" && k !== "careops_check" && k !== "job";
    }).map(function (k) { return k + "=" + metric[k]; });
    return (name + (rest.length ? " " + rest.join(", ") : "")) || "value";
  }

  function setup(el) {
    el.style.height = "260px";
    var card = el.closest(".card");
    var status = card ? card.querySelector(".metrics-status") : null;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var entry = { el: el, chart: chart, status: status, query: el.dataset.query,
                  unit: el.dataset.unit, legend: el.dataset.legend };
    charts.push(entry);
    return entry;
  }

  function say(entry, text) {
    if (entry.status) { entry.status.textContent = text; }
  }

  // One request at a time: six charts must not occupy all of a small server's workers.
  var queue = Promise.resolve();
  function load(entry, seconds) {
    queue = queue.then(function () { return fetchChart(entry, seconds); });
  }

  function fetchChart(entry, seconds) {
    var end = Date.now() / 1000;
    var start = end - seconds;
    var step = Math.max(15, Math.round(seconds / points));
    var params = new URLSearchParams({ query: entry.query, start: start.toFixed(3),
                                       end: end.toFixed(3), step: String(step), item: item });
    say(entry, root.dataset.msgLoading);
    return fetch(url + "?" + params.toString(), { credentials: "same-origin",
                                            headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) {
          var reason = answer.body && answer.body.error ? answer.body.error.message : "";
          say(entry, fmt(root.dataset.msgError, { reason: reason }));
          entry.chart.clear();
          return;
        }
        draw(entry, answer.body.data.result, seconds);
      })
      .catch(function (err) {
        say(entry, fmt(root.dataset.msgError, { reason: String(err) }));
      });
  }

  function draw(entry, result, span) {
    if (!result.length) {
      say(entry, root.dataset.msgEmpty);
      entry.chart.clear();
      return;
    }
    say(entry, "");
    var format = unitFormatter(entry.unit);
    entry.chart.setOption({
      animation: false,
      grid: { left: 56, right: 16, top: 32, bottom: 64 },
      tooltip: { trigger: "axis", valueFormatter: format },
      legend: { type: "scroll", top: 0 },
      toolbox: { feature: { dataZoom: { yAxisIndex: "none",
                                        title: { zoom: "", back: root.dataset.msgReset } } } },
      xAxis: { type: "time", axisLabel: { formatter: function (v) { return label(v, span); } } },
      yAxis: { type: "value", axisLabel: { formatter: format },
               max: entry.unit === "%" ? 100 : null, min: entry.unit === "%" ? 0 : null },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 20, bottom: 8 }],
      series: result.map(function (row) {
        return {
          name: seriesName(row.metric, entry.legend),
          type: "line", showSymbol: false, connectNulls: false,
          data: row.values.map(function (v) {
            var value = parseFloat(v[1]);
            return [v[0] * 1000, isFinite(value) ? value : null];
          })
        };
      })
    }, true);
  }

  var chosen = document.querySelector("#metrics-ranges .active");
  var seconds = chosen ? parseInt(chosen.dataset.range, 10) : 86400;
  root.querySelectorAll(".metrics-chart").forEach(function (el) { load(setup(el), seconds); });

  rangeLinks.forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      rangeLinks.forEach(function (other) { other.classList.remove("active"); });
      link.classList.add("active");
      var span = parseInt(link.dataset.range, 10);
      history.replaceState(null, "", "?range=" + encodeURIComponent(link.dataset.key));
      charts.forEach(function (entry) { load(entry, span); });
    });
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (entry) { entry.chart.resize(); });
  });
})();
