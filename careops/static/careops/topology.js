// CMDB topology: an ECharts force graph of the JSON served by cmdb:topology_data.
// No inline script: the Content-Security-Policy forbids it. Data from the server is
// only ever inserted as text (textContent), never as HTML.
(function () {
  "use strict";

  var chartEl = document.getElementById("topology-chart");
  if (!chartEl || !window.echarts) {
    return;
  }

  // Shape and colour of each class of item. Health colours are kept apart from these.
  var KIND_STYLE = {
    system: { symbol: "circle", color: "#206bc4", size: 28 },
    interface: { symbol: "triangle", color: "#ae3ec9", size: 14 },
    host: { symbol: "rect", color: "#4299e1", size: 16 },
    database: { symbol: "diamond", color: "#6574cd", size: 20 },
    service: { symbol: "roundRect", color: "#17a2b8", size: 15 },
    room: { symbol: "pin", color: "#667382", size: 24 },
    network_device: { symbol: "arrow", color: "#495057", size: 16 },
    storage_device: { symbol: "roundRect", color: "#8d6e63", size: 16 }
  };
  var KIND_ORDER = ["system", "interface", "service", "database", "host", "room",
                    "network_device", "storage_device"];
  // Filled by the monitoring module through each node's "health" (see docs/cmdb.md).
  var HEALTH_COLOURS = { ok: "#2fb344", warning: "#f59f00", critical: "#d63939",
                         unknown: "#9aa0ac" };
  // Business systems: criticality 1 (most critical) is drawn largest.
  var CRITICALITY_SIZE = { 1: 46, 2: 38, 3: 30, 4: 24 };
  // Above this many nodes, only the labels that fit are shown and edge labels wait for hover.
  var LARGE_GRAPH = 150;

  var form = document.getElementById("topology-filter");
  var statusEl = document.getElementById("topology-status");
  var searchEl = document.getElementById("topology-search");
  var namesEl = document.getElementById("topology-names");
  var panel = {
    empty: document.getElementById("topology-panel-empty"),
    item: document.getElementById("topology-panel-item"),
    name: document.getElementById("topology-panel-name"),
    code: document.getElementById("topology-panel-code"),
    kind: document.getElementById("topology-panel-kind"),
    status: document.getElementById("topology-panel-status"),
    health: document.getElementById("topology-panel-health"),
    healthDot: document.getElementById("topology-panel-health-dot"),
    criticality: document.getElementById("topology-panel-criticality"),
    zone: document.getElementById("topology-panel-zone"),
    detail: document.getElementById("topology-panel-detail"),
    impactLink: document.getElementById("topology-panel-impact-link"),
    impact: document.getElementById("topology-panel-impact"),
    clear: document.getElementById("topology-panel-clear"),
    result: document.getElementById("topology-impact-result"),
    systems: document.getElementById("topology-impact-systems")
  };

  var chart = window.echarts.init(chartEl, null, { renderer: "canvas" });
  var state = { data: null, indexById: {}, current: null, impact: [], request: 0 };

  function message(name, values) {
    var text = chartEl.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("%(" + key + ")s").join(String(values[key]));
    });
    return text;
  }

  function label(table, value) {
    var labels = (state.data && state.data.labels[table]) || {};
    return labels[value] !== undefined ? labels[value] : (value === null ? "" : String(value));
  }

  function setStatus(text) {
    statusEl.textContent = text;
  }

  function query() {
    var params = new URLSearchParams();
    var system = form.elements.system.value;
    var zone = form.elements.zone.value;
    if (system) { params.set("system", system); }
    if (zone) { params.set("zone", zone); }
    if (form.elements.rooms.checked) { params.set("rooms", "1"); }
    return params.toString();
  }

  function nodeSize(node) {
    if (node.kind === "system") {
      return CRITICALITY_SIZE[node.criticality] || KIND_STYLE.system.size;
    }
    return (KIND_STYLE[node.kind] || KIND_STYLE.host).size;
  }

  function buildOption(data) {
    var large = data.nodes.length > LARGE_GRAPH;
    var kinds = KIND_ORDER.filter(function (kind) {
      return data.nodes.some(function (n) { return n.kind === kind; });
    });
    var categoryOf = {};
    var categories = kinds.map(function (kind, index) {
      categoryOf[kind] = index;
      var style = KIND_STYLE[kind];
      return { name: label("kind", kind), symbol: style.symbol,
               itemStyle: { color: style.color } };
    });
    var nodes = data.nodes.map(function (node) {
      var item = {
        id: String(node.id),
        name: node.name,
        value: node.code,
        category: categoryOf[node.kind],
        symbolSize: nodeSize(node),
        // Systems are named at every zoom; other labels show when there is room.
        label: { show: !large || node.kind === "system" }
      };
      if (node.health) {
        item.itemStyle = { color: HEALTH_COLOURS[node.health] || HEALTH_COLOURS.unknown };
      }
      if (node.status === "retired" || node.status === "planned") {
        item.itemStyle = Object.assign({}, item.itemStyle || {}, { opacity: 0.55 });
      }
      return item;
    });
    var links = data.edges.map(function (edge) {
      return { source: String(edge.source), target: String(edge.target),
               relation: edge.type, value: label("relation", edge.type) };
    });
    var n = nodes.length;
    return {
      animationDurationUpdate: 300,
      tooltip: {
        // Drawn on the canvas: no HTML, so nothing for the CSP to refuse.
        renderMode: "richText",
        formatter: function (params) {
          if (params.dataType === "edge") {
            return params.data.value;
          }
          var node = data.nodes[params.dataIndex];
          return node.name + " (" + node.code + ")\n" + label("kind", node.kind) +
            " · " + label("status", node.status);
        }
      },
      legend: [{ data: categories.map(function (c) { return c.name; }), top: 8,
                 type: "scroll" }],
      series: [{
        id: "topology",
        type: "graph",
        layout: "force",
        roam: true,
        draggable: true,
        scaleLimit: { min: 0.1, max: 8 },
        categories: categories,
        data: nodes,
        links: links,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: [0, 6],
        top: 48,
        force: {
          initLayout: "circular",
          repulsion: n > 300 ? 60 : (n > LARGE_GRAPH ? 110 : 260),
          gravity: n > 300 ? 0.15 : 0.08,
          edgeLength: n > 300 ? [20, 50] : [60, 140],
          friction: 0.3,
          layoutAnimation: true
        },
        label: { position: "right", fontSize: 11, formatter: "{b}" },
        labelLayout: { hideOverlap: true },
        lineStyle: { color: "#a0a8b4", width: 1, curveness: 0.08, opacity: 0.8 },
        edgeLabel: { show: !large, fontSize: 9, color: "#6c7a91", formatter: "{c}" },
        emphasis: {
          focus: "adjacency",
          label: { show: true },
          edgeLabel: { show: true },
          lineStyle: { width: 2.5 }
        },
        selectedMode: "multiple",
        select: {
          itemStyle: { borderColor: "#1d273b", borderWidth: 3 },
          label: { show: true, fontWeight: "bold" }
        },
        blur: { itemStyle: { opacity: 0.15 }, lineStyle: { opacity: 0.05 },
                label: { show: false } }
      }]
    };
  }

  function fillNames(data) {
    var fragment = document.createDocumentFragment();
    data.nodes.forEach(function (node) {
      var option = document.createElement("option");
      option.value = node.name;
      option.label = node.code + " · " + label("kind", node.kind);
      fragment.appendChild(option);
    });
    namesEl.textContent = "";
    namesEl.appendChild(fragment);
  }

  function render(data) {
    state.data = data;
    state.indexById = {};
    state.impact = [];
    data.nodes.forEach(function (node, index) { state.indexById[node.id] = index; });
    chart.clear();
    showPanel(null);
    fillNames(data);
    if (!data.nodes.length) {
      setStatus(message("empty"));
      return;
    }
    chart.setOption(buildOption(data), true);
    setStatus(message("summary", { nodes: data.nodes.length, edges: data.edges.length }));
  }

  function load(pushHistory) {
    var qs = query();
    var request = ++state.request;
    setStatus(message("loading"));
    if (pushHistory) {
      window.history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
    }
    fetch(chartEl.getAttribute("data-url") + (qs ? "?" + qs : ""),
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            throw new Error((body.error && body.error.message) || response.statusText);
          }
          return body;
        });
      })
      .then(function (data) {
        if (request === state.request) { render(data); }
      })
      .catch(function (error) {
        if (request === state.request) {
          chart.clear();
          setStatus(message("error") + " " + error.message);
        }
      });
  }

  // Selection marks the clicked item and, once asked, everything its failure affects.
  function applySelection() {
    var all = state.data.nodes.map(function (_, index) { return index; });
    chart.dispatchAction({ type: "unselect", seriesId: "topology", dataIndex: all });
    var marked = state.impact.slice();
    if (state.current !== null) { marked.push(state.current); }
    if (marked.length) {
      chart.dispatchAction({ type: "select", seriesId: "topology", dataIndex: marked });
    }
  }

  function clearImpact() {
    state.impact = [];
    panel.result.textContent = "";
    panel.systems.textContent = "";
    panel.clear.hidden = true;
  }

  function showPanel(index) {
    state.current = index;
    clearImpact();
    if (index === null) {
      panel.item.hidden = true;
      panel.empty.hidden = false;
      return;
    }
    var node = state.data.nodes[index];
    panel.empty.hidden = true;
    panel.item.hidden = false;
    panel.name.textContent = node.name;
    panel.code.textContent = node.code;
    panel.kind.textContent = label("kind", node.kind);
    panel.status.textContent = label("status", node.status);
    var health = node.health || "unknown";
    panel.health.textContent = label("health", health);
    panel.healthDot.className = "health-dot health-" + health;
    toggleField("criticality", node.criticality !== undefined && node.criticality !== null,
                node.criticality);
    toggleField("zone", Boolean(node.zone), label("zone", node.zone));
    panel.detail.hidden = panel.impactLink.hidden = !node.url;
    if (node.url) {
      panel.detail.href = node.url;
      panel.impactLink.href = node.url + "#impact";
    }
    applySelection();
  }

  function toggleField(name, present, value) {
    document.querySelectorAll("#topology-panel [data-field=" + name + "]").forEach(function (el) {
      el.hidden = !present;
    });
    panel[name].textContent = present ? String(value) : "";
  }

  function showImpact() {
    if (state.current === null) { return; }
    var node = state.data.nodes[state.current];
    var url = chartEl.getAttribute("data-impact-url").replace(/0\/$/, node.id + "/");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.error) { throw new Error(body.error.message); }
        if (state.current === null || state.data.nodes[state.current].id !== body.item) {
          return;  // another item was chosen meanwhile
        }
        state.impact = body.affected.filter(function (id) {
          return state.indexById[id] !== undefined;
        }).map(function (id) { return state.indexById[id]; });
        var parts = [body.affected.length ?
          message("affected", { count: body.affected.length }) : message("no-impact")];
        if (body.worst_criticality) {
          parts.push(message("worst", { value: body.worst_criticality }));
        }
        if (body.patient_safety) { parts.push(message("patient-safety")); }
        panel.result.textContent = parts.join(" · ");
        panel.result.classList.toggle("text-danger", Boolean(body.patient_safety));
        panel.systems.textContent = "";
        body.systems.forEach(function (system) {
          var li = document.createElement("li");
          li.textContent = system.criticality + " · " + system.name;
          panel.systems.appendChild(li);
        });
        panel.clear.hidden = false;
        applySelection();
      })
      .catch(function (error) { panel.result.textContent = message("error") + " " + error.message; });
  }

  function focusSearch() {
    var text = searchEl.value.trim().toLowerCase();
    if (!text || !state.data) { return; }
    var nodes = state.data.nodes;
    var index = nodes.findIndex(function (n) {
      return n.name.toLowerCase() === text || n.code.toLowerCase() === text;
    });
    if (index < 0) {
      index = nodes.findIndex(function (n) {
        return n.name.toLowerCase().indexOf(text) >= 0 || n.code.toLowerCase().indexOf(text) >= 0;
      });
    }
    if (index < 0) {
      setStatus(message("not-found", { query: searchEl.value.trim() }));
      return;
    }
    showPanel(index);
    chart.dispatchAction({ type: "downplay", seriesId: "topology" });
    chart.dispatchAction({ type: "highlight", seriesId: "topology", dataIndex: index });
    chart.dispatchAction({ type: "showTip", seriesId: "topology", dataIndex: index });
  }

  chart.on("click", function (params) {
    if (params.dataType === "node") {
      showPanel(params.dataIndex);
    } else {
      applySelection();  // clicking an edge must not change what is marked
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (document.activeElement === searchEl) {
      focusSearch();
      return;
    }
    load(true);
  });
  form.addEventListener("change", function (event) {
    if (event.target === searchEl) {
      focusSearch();
    } else {
      load(true);
    }
  });
  searchEl.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      focusSearch();
    }
  });
  panel.impact.addEventListener("click", showImpact);
  panel.clear.addEventListener("click", function () {
    clearImpact();
    applySelection();
  });
  document.getElementById("topology-fit").addEventListener("click", function () {
    if (state.data && state.data.nodes.length) {
      chart.dispatchAction({ type: "restore" });
      chart.setOption({ series: [{ id: "topology", zoom: 1, center: null }] });
    }
  });
  window.addEventListener("resize", function () { chart.resize(); });

  load(false);
})();
