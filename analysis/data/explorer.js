/* hkasean explorer: the run's tables as four views (topics, documents, over time, claims).
 * Every value of the payload is data: it reaches the DOM only through textContent and created nodes
 * (never innerHTML), and strings handed to plotly are entity-escaped. Nothing is fetched. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("hk-data").textContent);
  var started = performance.now();
  window.hkExplorer = { timings: {}, data: DATA };

  // ------------------------------------------------------------ helpers
  function $(id) { return document.getElementById(id); }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    props = props || {};
    Object.keys(props).forEach(function (key) {
      var value = props[key];
      if (value === undefined || value === null) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key === "on") Object.keys(value).forEach(function (ev) { node.addEventListener(ev, value[ev]); });
      else if (key === "dataset") Object.keys(value).forEach(function (name) { node.dataset[name] = value[name]; });
      else node.setAttribute(key, value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) { node.replaceChildren(); return node; }
  function level(column, i) { return column ? column.levels[column.codes[i]] : ""; }
  function fmt(value, digits) {
    if (value === null || value === undefined || Number.isNaN(value)) return "";
    return Number(value).toFixed(digits === undefined ? 2 : digits);
  }
  function pct(value) { return value === null || value === undefined ? "" : (100 * value).toFixed(1) + "%"; }
  function plain(text) {  // a string for plotly, which reads a little HTML: entities only
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function option(value, label, selected) {
    var node = el("option", { value: value, text: label });
    if (selected) node.selected = true;
    return node;
  }
  function fill(select, options, selected) {
    clear(select);
    options.forEach(function (o) { select.appendChild(option(o[0], o[1], o[0] === selected)); });
  }
  function emptyTab(name, message) {  // a view whose tables the run did not write: only say so
    var tab = $("tab-" + name);
    Array.from(tab.children).forEach(function (child) { child.hidden = true; });
    tab.prepend(el("p", { className: "notice", text: message }));
  }
  function setStatus(text) { $("status").textContent = text; }
  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  var PLOT_CONFIG = { displaylogo: false, responsive: true, showSendToCloud: false, showEditInChartStudio: false,
    plotlyServerURL: "", modeBarButtonsToRemove: ["select2d", "lasso2d", "sendChartToCloud"] };
  var PALETTE = ["#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#fbafe4", "#949494", "#ece133", "#56b4e9"];
  function rgba(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  // ------------------------------------------------------------ the data, unpacked
  var D = DATA.documents;
  var N = D.n;
  var THEMES = DATA.themes;
  var THEME_IDS = THEMES.map(function (t) { return t.id; });
  var THEME_BY_ID = {};
  THEMES.forEach(function (t, i) { THEME_BY_ID[t.id] = t; t.index = i; });
  var SHORT = shortCodes(THEME_IDS);
  var MODELS = DATA.decisions.models;
  var DEC = DATA.decisions.by_model;
  var SCORE_SCALE = DATA.decisions.score_scale || 1;
  var GOLD = DATA.gold;  // theme -> "10-..." or null
  var GOLD_NAME = DATA.gold_name || "standard";
  var TM = DATA.topic_models;
  var DOC_INDEX = {};
  D.doc_id.forEach(function (id, i) { DOC_INDEX[id] = i; });
  var TOPIC_THEME = {};  // model -> topic -> mapped theme (topics.csv)
  if (DATA.topics) {
    for (var r = 0; r < DATA.topics.n; r++) {
      var model = level(DATA.topics.model, r);
      (TOPIC_THEME[model] = TOPIC_THEME[model] || {})[DATA.topics.topic[r]] = DATA.topics.mapped_theme[r];
    }
  }
  var texts = new Array(N).fill(null);
  var lowerTexts = null;
  var evidence = new Array(N).fill(null);
  var docTopics = new Array(N).fill(null);
  var urls = new Array(N).fill("");
  var detailsLoaded = false;

  function shortCodes(ids) {
    var used = {};
    return ids.map(function (id) {
      var code = id.split(/[_\-\s]+/).filter(Boolean).map(function (w) { return w[0]; }).join("").toUpperCase().slice(0, 3) || id.slice(0, 2);
      var candidate = code, k = 2;
      while (used[candidate]) { candidate = code + k; k++; }
      used[candidate] = true;
      return candidate;
    });
  }

  function base64Bytes(text) {
    if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function unpack(line) {
    var stream = new Blob([base64Bytes(line.slice(2))]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (buffer) { return [line[0], new Uint8Array(buffer)]; });
  }

  function loadDetails() {
    // lines "d:<base64 gzip>": [4-byte length][JSON records [index, pieces, evidence, topics, url]][varint piece ids];
    // the line "v:<base64 gzip>": the JSON list of pieces the ids point to (analysis.explorer.detail_chunks)
    var lines = $("hk-details").textContent.split("\n").filter(function (s) { return s.length > 2; });
    return Promise.all(lines.map(unpack)).then(function (parts) {
      var decoder = new TextDecoder();
      var vocabulary = [];
      parts.forEach(function (part) { if (part[0] === "v") vocabulary = JSON.parse(decoder.decode(part[1])); });
      parts.forEach(function (part) {
        if (part[0] !== "d") return;
        var bytes = part[1];
        var size = (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
        var records = JSON.parse(decoder.decode(bytes.subarray(4, 4 + size)));
        var position = 4 + size;
        records.forEach(function (rec) {
          var pieces = new Array(rec[1]);
          for (var k = 0; k < rec[1]; k++) {
            var value = 0, scale = 1, byte;
            do { byte = bytes[position++]; value += (byte & 127) * scale; scale *= 128; } while (byte & 128);
            pieces[k] = vocabulary[value];
          }
          texts[rec[0]] = pieces.join("");
          evidence[rec[0]] = rec[2];
          docTopics[rec[0]] = rec[3];
          urls[rec[0]] = rec[4];
        });
      });
    });
  }

  // ------------------------------------------------------------ tabs and routing
  var TABS = ["topics", "documents", "time", "claims"];
  var drawn = {};
  var currentTab = null;

  function showTab(name) {
    if (TABS.indexOf(name) < 0) name = "documents";
    currentTab = name;
    TABS.forEach(function (tab) {
      $("tab-" + tab).hidden = tab !== name;
      $("tab-button-" + tab).setAttribute("aria-selected", tab === name ? "true" : "false");
    });
    if (name === "topics") drawTopics();
    if (name === "time") drawTime();
    if (name === "documents") renderDocs();
    if (name === "claims") renderClaims();
  }

  function route() {
    var hash = decodeURIComponent(location.hash.replace(/^#/, ""));
    if (hash.indexOf("doc=") === 0) {
      var i = DOC_INDEX[hash.slice(4)];
      if (currentTab !== "documents") showTab("documents");
      if (i !== undefined) openDoc(i);
      return;
    }
    if (hash.indexOf("topic=") === 0) {
      var parts = hash.slice(6).split("/");
      selectTopicById(parts[0], parts.slice(1).join("/"));
      closeDoc(true);
      showTab("topics");
      return;
    }
    closeDoc(true);
    showTab(hash || (TM.length ? "topics" : "documents"));
  }

  document.querySelectorAll(".tabs button").forEach(function (button) {
    button.addEventListener("click", function () { location.hash = button.dataset.tab; });
  });
  window.addEventListener("hashchange", route);

  // ------------------------------------------------------------ topics
  var topicState = { model: 0, topic: 0, lambda: 0.6 };

  function relevance(model, k, lambda) {
    var topic = model.topics[k];
    var rows = topic.terms.map(function (pair) {
      var logPhi = pair[1];
      return { v: pair[0], logPhi: logPhi, rel: lambda * logPhi + (1 - lambda) * (logPhi - model.log_pw[pair[0]]) };
    });
    rows.sort(function (a, b) { return (b.rel - a.rel) || (a.v - b.v); });
    return rows.slice(0, DATA.relevant_terms);
  }

  function topicLabel(topic) {
    return topic.id + (topic.theme ? " (" + topic.theme + ")" : "");
  }

  function setupTopics() {
    if (!TM.length) {
      emptyTab("topics", "This run has no topic model with topic-term weights.");
      return;
    }
    fill($("topic-model"), TM.map(function (m, i) { return [String(i), m.model]; }), "0");
    $("topic-model").addEventListener("change", function () {
      topicState.model = Number(this.value);
      topicState.topic = 0;
      fillTopicSelect();
      drawTopics();
    });
    $("topic-select").addEventListener("change", function () { topicState.topic = Number(this.value); drawTopics(); });
    $("lambda").addEventListener("input", function () {
      topicState.lambda = Number(this.value);
      $("lambda-value").textContent = topicState.lambda.toFixed(2);
      drawTerms();
    });
    fillTopicSelect();
    renderTopicTable();
    var legend = $("topic-map-legend");
    legend.appendChild(document.createTextNode("Colour: the theme a topic maps to (or serves, for seeded_lda): "));
    THEMES.forEach(function (t, k) {
      legend.appendChild(chip(t.id, k, "on", SHORT[k], false, t.id));
      legend.appendChild(document.createTextNode(t.id + " "));
    });
    legend.appendChild(el("span", { className: "chip none", text: "grey" }));
    legend.appendChild(document.createTextNode(" none. Outlined: the selected topic."));
  }

  function fillTopicSelect() {
    var model = TM[topicState.model];
    fill($("topic-select"), model.topics.map(function (t, k) { return [String(k), topicLabel(t)]; }), String(topicState.topic));
  }

  function selectTopicById(modelName, topicId) {
    TM.forEach(function (m, i) {
      if (m.model !== modelName) return;
      m.topics.forEach(function (t, k) {
        if (t.id === topicId) {
          topicState.model = i;
          topicState.topic = k;
          $("topic-model").value = String(i);
          fillTopicSelect();
        }
      });
    });
  }

  function drawTopics() {
    if (!TM.length || currentTab !== "topics") return;
    $("topic-select").value = String(topicState.topic);
    drawMap();
    drawTerms();
    renderTopicInfo();
    highlightTopicRow();
  }

  function drawMap() {
    var model = TM[topicState.model];
    var max = Math.max.apply(null, model.topics.map(function (t) { return t.prevalence || 0; })) || 1;
    var trace = {
      type: "scatter", mode: "markers+text",
      x: model.topics.map(function (t) { return t.x; }),
      y: model.topics.map(function (t) { return t.y; }),
      text: model.topics.map(function (t) { var p = t.id.split("_"); return plain(p[p.length - 1]); }),
      textfont: { color: "#1d2733", size: 11 },
      customdata: model.topics.map(function (t, k) { return k; }),
      hovertext: model.topics.map(function (t) {
        return plain(t.id) + "<br>" + pct(t.prevalence) + " of the words" + (t.theme ? "<br>theme: " + plain(t.theme) : "")
          + (t.coherence !== null ? "<br>coherence (c_npmi): " + fmt(t.coherence, 3) : "");
      }),
      hoverinfo: "text",
      marker: {
        size: model.topics.map(function (t) { return t.prevalence || 0; }),
        sizemode: "area", sizeref: 2 * max / (64 * 64), sizemin: 5,
        color: model.topics.map(function (t) { return THEME_BY_ID[t.theme] ? THEME_BY_ID[t.theme].colour : "#9aa5b1"; }),
        opacity: model.topics.map(function (t, k) { return k === topicState.topic ? 0.9 : 0.55; }),
        line: { color: model.topics.map(function (t, k) { return k === topicState.topic ? "#1d2733" : "#ffffff"; }),
                width: model.topics.map(function (t, k) { return k === topicState.topic ? 3 : 1; }) }
      },
      name: "topics"
    };
    var layout = {
      margin: { l: 30, r: 10, t: 10, b: 30 }, showlegend: false, hovermode: "closest",
      xaxis: { title: { text: "PC1" }, zeroline: true, showticklabels: false },
      yaxis: { title: { text: "PC2" }, zeroline: true, showticklabels: false, scaleanchor: "x" }
    };
    var div = $("topic-map");
    Plotly.react(div, [trace], layout, PLOT_CONFIG);
    if (!div.dataset.bound) {
      div.on("plotly_click", function (event) {
        if (event.points && event.points.length) {
          topicState.topic = event.points[0].customdata;
          drawTopics();
        }
      });
      div.dataset.bound = "1";
    }
  }

  function drawTerms() {
    var model = TM[topicState.model];
    var topic = model.topics[topicState.topic];
    var rows = relevance(model, topicState.topic, topicState.lambda);
    var labels = rows.map(function (r) { return plain(model.vocab[r.v].replace(/_/g, " ")); });
    var overall = rows.map(function (r) { return 1000 * Math.exp(model.log_pw[r.v]); });
    var within = rows.map(function (r) { return 1000 * (topic.prevalence || 0) * Math.exp(r.logPhi); });
    $("term-title").textContent = "Top " + rows.length + " terms of " + topicLabel(topic) + " (λ = " + topicState.lambda.toFixed(2) + ")";
    var layout = {
      barmode: "overlay", margin: { l: 10, r: 10, t: 30, b: 40 },
      legend: { orientation: "h", x: 0, y: 1.06 },
      xaxis: { title: { text: "expected occurrences per 1,000 words of the corpus" } },
      yaxis: { type: "category", autorange: "reversed", automargin: true, tickfont: { size: 11 } }
    };
    var data = [
      { type: "bar", orientation: "h", y: labels, x: overall, name: "whole corpus", marker: { color: "#c5ccd6" },
        hovertemplate: "%{y}: %{x:.3f} per 1,000 words<extra>whole corpus</extra>" },
      { type: "bar", orientation: "h", y: labels, x: within, name: "in " + plain(topic.id), marker: { color: "#b2182b" },
        hovertemplate: "%{y}: %{x:.3f} per 1,000 words<extra>in this topic</extra>" }
    ];
    Plotly.react($("term-chart"), data, layout, PLOT_CONFIG);
    $("term-chart").dataset.terms = JSON.stringify(rows.map(function (r) { return model.vocab[r.v]; }));
  }

  function docLink(i, extra) {
    var link = el("a", { href: "#doc=" + encodeURIComponent(D.doc_id[i]) }, [D.title[i] || D.doc_id[i]]);
    return el("li", {}, [link, " ", el("span", { className: "muted small", text: D.doc_id[i] + " · " + D.date[i] + (extra || "") })]);
  }

  function renderTopicInfo() {
    var model = TM[topicState.model];
    var topic = model.topics[topicState.topic];
    var box = clear($("topic-info"));
    box.appendChild(el("h2", { text: topicLabel(topic) }));
    var kv = el("dl", { className: "kv" });
    function add(key, value) { kv.appendChild(el("dt", { text: key })); kv.appendChild(el("dd", { text: value })); }
    add("model", model.model);
    add("share of the words", pct(topic.prevalence));
    add(model.model === "seeded_lda" ? "theme it serves" : "mapped theme (codebook only)", topic.theme || "none");
    if (topic.learned_theme) add("theme learned from the coding (for reading)", topic.learned_theme);
    add("coherence (c_npmi)", topic.coherence === null ? "n/a" : fmt(topic.coherence, 3));
    box.appendChild(kv);
    box.appendChild(el("h3", { text: "Top documents" }));
    if (!topic.top_docs.length) box.appendChild(el("p", { className: "empty", text: "No document shares." }));
    var list = el("ol", { className: "docs" });
    topic.top_docs.forEach(function (pair) { list.appendChild(docLink(pair[0], " · share " + fmt(pair[1], 2))); });
    box.appendChild(list);
  }

  function renderTopicTable() {
    var T = DATA.topics;
    var wrap = clear($("topic-table"));
    if (!T || !T.n) { wrap.appendChild(el("p", { className: "empty", text: "No topics in this run." })); return; }
    var prevalence = {};
    TM.forEach(function (m) { m.topics.forEach(function (t) { prevalence[m.model + "\u0000" + t.id] = t.prevalence; }); });
    var table = el("table", { id: "all-topics", className: "list" });
    table.appendChild(el("thead", {}, [el("tr", {}, ["Model", "Topic", "Theme", "Share", "Coherence", "Top terms"].map(function (h) {
      return el("th", { text: h });
    }))]));
    var body = el("tbody");
    for (var r = 0; r < T.n; r++) {
      (function (r) {
        var modelName = level(T.model, r);
        var topicId = T.topic[r];
        var row = el("tr", { dataset: { model: modelName, topic: topicId },
          on: { click: function () { location.hash = "topic=" + encodeURIComponent(modelName) + "/" + encodeURIComponent(topicId); } } }, [
          el("td", { text: modelName }),
          el("td", { className: "nowrap", text: topicId }),
          el("td", { text: T.mapped_theme[r] }),
          el("td", { className: "num", text: pct(prevalence[modelName + "\u0000" + topicId]) }),
          el("td", { className: "num", text: fmt(T.coherence[r], 3) }),
          el("td", { text: T.top_terms[r].replace(/_/g, " ") })
        ]);
        body.appendChild(row);
      })(r);
    }
    table.appendChild(body);
    wrap.appendChild(table);
  }

  function highlightTopicRow() {
    var model = TM[topicState.model];
    var id = model.topics[topicState.topic].id;
    document.querySelectorAll("#all-topics tbody tr").forEach(function (row) {
      row.classList.toggle("selected", row.dataset.model === model.model && row.dataset.topic === id);
    });
  }

  // ------------------------------------------------------------ documents
  var docState = { page: 0, sortKey: "date", sortDir: 1, selected: null };

  function decision(model, theme, i) {
    var d = DEC[model] && DEC[model][theme];
    if (!d) return null;
    return { present: d.present[i], score: d.score[i] === null ? null : d.score[i] / SCORE_SCALE, fold: d.fold[i] };
  }

  function goldValue(theme, i) { return GOLD && GOLD[theme] ? GOLD[theme][i] : "-"; }

  function setupDocuments() {
    var years = Array.from(new Set(D.year)).filter(function (y) { return y !== null; }).sort();
    fill($("doc-year"), [["", "all"]].concat(years.map(function (y) { return [String(y), String(y)]; })), "");
    fill($("doc-type"), [["", "all"]].concat(D.doc_type.levels.map(function (t, k) { return [String(k), t || "(none)"]; })), "");
    fill($("doc-source"), [["", "all"]].concat(D.source.levels.map(function (t, k) { return [String(k), t || "(none)"]; })), "");
    fill($("doc-theme"), [["", "any"]].concat(THEMES.map(function (t) { return [t.id, t.id]; })), "");
    var by = [];
    if (GOLD) by.push(["gold", "the standard (" + GOLD_NAME + ")"]);
    MODELS.forEach(function (m) { by.push(["model:" + m, m]); });
    fill($("doc-theme-by"), by, by.length ? by[0][0] : "");
    var preferred = ["ensemble", "dictionary"].filter(function (m) { return MODELS.indexOf(m) >= 0; })[0] || MODELS[0];
    fill($("doc-model"), MODELS.map(function (m) { return [m, m]; }), preferred);
    fill($("doc-evidence-model"), MODELS.map(function (m) { return [m, m]; }), preferred);
    $("doc-disagree").disabled = !GOLD;
    var rerender = function () { docState.page = 0; renderDocs(); };
    ["doc-year", "doc-type", "doc-source", "doc-theme", "doc-theme-by", "doc-model", "doc-disagree"].forEach(function (id) {
      $(id).addEventListener("change", rerender);
    });
    $("doc-model").addEventListener("change", function () { $("doc-evidence-model").value = this.value; });
    $("doc-page-size").addEventListener("change", rerender);
    $("doc-search").addEventListener("input", debounce(rerender, 150));
    $("doc-prev").addEventListener("click", function () { docState.page--; renderDocs(); });
    $("doc-next").addEventListener("click", function () { docState.page++; renderDocs(); });
    document.querySelectorAll("#doc-table th.sortable").forEach(function (th) {
      th.addEventListener("click", function () {
        var key = th.dataset.sort;
        docState.sortDir = docState.sortKey === key ? -docState.sortDir : (key === "score" ? -1 : 1);
        docState.sortKey = key;
        renderDocs();
      });
    });
    $("doc-close").addEventListener("click", function () { closeDoc(false); });
    $("doc-evidence-model").addEventListener("change", function () { if (docState.selected !== null) openDoc(docState.selected); });
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") closeDoc(false); });
    var legend = $("theme-legend");
    legend.appendChild(document.createTextNode("Themes: "));
    THEMES.forEach(function (t, k) {
      legend.appendChild(chip(t.id, k, "on", SHORT[k], false, t.label || t.id));
      legend.appendChild(document.createTextNode(t.id + (k < THEMES.length - 1 ? "  " : "")));
    });
    legend.appendChild(document.createTextNode(". Filled: carried; hollow: not; red outline: differs from the standard."));
  }

  function searchWords() {
    return $("doc-search").value.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function haystack(i) {
    if (lowerTexts === null && detailsLoaded) lowerTexts = texts.map(function (t) { return (t || "").toLowerCase(); });
    return (D.doc_id[i] + " " + (D.title[i] || "")).toLowerCase() + " " + (lowerTexts ? lowerTexts[i] : "");
  }

  function disagrees(model, theme, i) {
    var g = goldValue(theme, i);
    var d = decision(model, theme, i);
    return g !== "-" && d !== null && d.present !== "-" && d.present !== g;
  }

  function filteredDocs() {
    var year = $("doc-year").value, type = $("doc-type").value, source = $("doc-source").value;
    var theme = $("doc-theme").value, by = $("doc-theme-by").value, model = $("doc-model").value;
    var disagree = $("doc-disagree").checked;
    var words = searchWords();
    var out = [];
    for (var i = 0; i < N; i++) {
      if (year && String(D.year[i]) !== year) continue;
      if (type && String(D.doc_type.codes[i]) !== type) continue;
      if (source && String(D.source.codes[i]) !== source) continue;
      if (theme) {
        var carried = by === "gold" ? goldValue(theme, i) === "1"
          : (function () { var d = decision(by.slice(6), theme, i); return d !== null && d.present === "1"; })();
        if (!carried) continue;
      }
      if (disagree) {
        var themes = theme ? [theme] : THEME_IDS;
        if (!themes.some(function (t) { return disagrees(model, t, i); })) continue;
      }
      if (words.length) {
        var hay = haystack(i);
        if (!words.every(function (w) { return hay.indexOf(w) >= 0; })) continue;
      }
      out.push(i);
    }
    var key = docState.sortKey, dir = docState.sortDir;
    var scoreTheme = theme;
    function value(i) {
      if (key === "date") return D.date[i];
      if (key === "type") return level(D.doc_type, i);
      if (key === "source") return level(D.source, i);
      if (key === "title") return (D.title[i] || "").toLowerCase();
      if (key === "score") {
        var themes = scoreTheme ? [scoreTheme] : THEME_IDS;
        var best = -Infinity;
        themes.forEach(function (t) { var d = decision(model, t, i); if (d && d.score !== null && d.score > best) best = d.score; });
        return best;
      }
      return i;
    }
    out.sort(function (a, b) {
      var va = value(a), vb = value(b);
      return (va < vb ? -dir : va > vb ? dir : 0) || (a - b);
    });
    return out;
  }

  function chip(theme, k, state, text, wrong, title) {
    var node = el("span", { className: "chip " + state + (wrong ? " wrong" : ""), title: title, text: text });
    if (state === "on") node.style.background = THEMES[k].colour;
    return node;
  }

  function goldCell(i) {
    var cell = el("td");
    if (!GOLD) { cell.textContent = ""; return cell; }
    var coded = THEME_IDS.some(function (t) { return goldValue(t, i) !== "-"; });
    if (!coded) { cell.appendChild(el("span", { className: "chip none", text: "not coded" })); return cell; }
    THEMES.forEach(function (t, k) {
      if (goldValue(t.id, i) === "1") cell.appendChild(chip(t.id, k, "on", SHORT[k], false, t.id + ": carried (standard)"));
    });
    if (!cell.childNodes.length) cell.appendChild(el("span", { className: "muted small", text: "none" }));
    return cell;
  }

  function modelCell(model, i) {
    var cell = el("td", { className: "nowrap" });
    THEMES.forEach(function (t, k) {
      var d = decision(model, t.id, i);
      if (!d || d.present === "-") return;
      var wrong = disagrees(model, t.id, i);
      var state = d.present === "1" ? "on" : "off";
      cell.appendChild(chip(t.id, k, state, SHORT[k] + " " + fmt(d.score, 2), wrong,
        t.id + ": " + (d.present === "1" ? "carried" : "not carried") + ", score " + fmt(d.score, 3)
        + (wrong ? " (differs from the standard)" : "")));
    });
    return cell;
  }

  function renderDocs() {
    if (currentTab !== "documents") return;
    var rows = filteredDocs();
    var size = Number($("doc-page-size").value);
    var pages = Math.max(1, Math.ceil(rows.length / size));
    docState.page = Math.min(Math.max(0, docState.page), pages - 1);
    var shown = rows.slice(docState.page * size, (docState.page + 1) * size);
    var model = $("doc-model").value;
    $("doc-count").textContent = rows.length + " of " + N + " documents";
    $("doc-page").textContent = "page " + (docState.page + 1) + " of " + pages;
    $("doc-prev").disabled = docState.page === 0;
    $("doc-next").disabled = docState.page >= pages - 1;
    $("doc-model-header").textContent = model ? model + " (score)" : "Model";
    document.querySelectorAll("#doc-table th.sortable").forEach(function (th) {
      th.classList.toggle("sorted-asc", th.dataset.sort === docState.sortKey && docState.sortDir > 0);
      th.classList.toggle("sorted-desc", th.dataset.sort === docState.sortKey && docState.sortDir < 0);
    });
    var body = clear($("doc-rows"));
    var fragment = document.createDocumentFragment();
    shown.forEach(function (i) {
      var row = el("tr", { dataset: { doc: D.doc_id[i] }, on: { click: function () { location.hash = "doc=" + encodeURIComponent(D.doc_id[i]); } } }, [
        el("td", { className: "nowrap", text: D.date[i] }),
        el("td", { text: level(D.doc_type, i) }),
        el("td", { text: level(D.source, i) }),
        el("td", {}, [el("span", { className: "doc-title", text: D.title[i] }), el("span", { className: "doc-id", text: D.doc_id[i] })]),
        goldCell(i),
        model ? modelCell(model, i) : el("td")
      ]);
      if (docState.selected === i) row.classList.add("selected");
      fragment.appendChild(row);
    });
    body.appendChild(fragment);
    if (!shown.length) body.appendChild(el("tr", {}, [el("td", { colspan: "6", className: "empty", text: "No document matches." })]));
  }

  // ------------------------------------------------------------ one document
  function escapeRegex(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  var WORD_EDGE_BEFORE = "(?<![\\p{L}\\p{N}])";
  var WORD_EDGE_AFTER = "(?![\\p{L}\\p{N}])";

  function phrasePattern(phrase, loose) {
    var words = phrase.toLowerCase().split(/[\s_\-]+/).filter(Boolean).map(function (word) {
      return word === "and" ? "(?:and|&)" : escapeRegex(word);  // "Belt & Road" is "Belt and Road"
    });
    if (!words.length) return null;
    var last = words.length - 1;
    if (loose && words[last].length > 3 && /s$/.test(words[last])) words[last] = words[last].slice(0, -1);
    return words.join("[\\s\\-]+") + "(?:s|es|'s)?";
  }

  function phrasesRegex(phrases, loose) {
    var patterns = phrases.map(function (p) { return phrasePattern(p, loose); }).filter(Boolean);
    if (!patterns.length) return null;
    patterns.sort(function (a, b) { return b.length - a.length; });
    return new RegExp(WORD_EDGE_BEFORE + "(?:" + patterns.join("|") + ")" + WORD_EDGE_AFTER, "giu");
  }

  var INDICATOR_RES = THEMES.map(function (t) { return phrasesRegex(t.indicators || [], false); });

  function evidenceTerms(i, model) {
    var m = MODELS.indexOf(model);
    var terms = [];
    (evidence[i] || []).forEach(function (rec) {
      if (rec[0] !== m) return;
      rec[2].split(";").forEach(function (term) {
        term = term.trim();
        if (term && term[0] !== "[") terms.push(term);
      });
    });
    return Array.from(new Set(terms));
  }

  function highlighted(text, evidenceRe) {
    // per character: which theme's indicator covers it (-1 none) and whether evidence covers it
    var theme = new Int16Array(text.length).fill(-1);
    var ev = new Uint8Array(text.length);
    var match;
    INDICATOR_RES.forEach(function (re, k) {
      if (!re) return;
      re.lastIndex = 0;
      while ((match = re.exec(text)) !== null) {
        for (var c = match.index; c < match.index + match[0].length; c++) if (theme[c] < 0) theme[c] = k;
        if (match[0].length === 0) re.lastIndex++;
      }
    });
    if (evidenceRe) {
      evidenceRe.lastIndex = 0;
      while ((match = evidenceRe.exec(text)) !== null) {
        for (var c2 = match.index; c2 < match.index + match[0].length; c2++) ev[c2] = 1;
        if (match[0].length === 0) evidenceRe.lastIndex++;
      }
    }
    var fragment = document.createDocumentFragment();
    var start = 0;
    for (var pos = 1; pos <= text.length; pos++) {
      if (pos < text.length && theme[pos] === theme[start] && ev[pos] === ev[start]) continue;
      var piece = text.slice(start, pos);
      if (theme[start] < 0 && !ev[start]) fragment.appendChild(document.createTextNode(piece));
      else {
        var t = theme[start] >= 0 ? THEMES[theme[start]] : null;
        var mark = el("mark", {
          className: (t ? "ind" : "") + (ev[start] ? " ev" : ""),
          title: (t ? "indicator of " + t.id : "") + (t && ev[start] ? "; " : "") + (ev[start] ? "evidence of the model" : ""),
          text: piece
        });
        if (t) { mark.style.setProperty("--theme", t.colour); mark.dataset.theme = t.id; }
        fragment.appendChild(mark);
      }
      start = pos;
    }
    return fragment;
  }

  function reasonCell(model, theme, i) {
    var d = decision(model, theme, i);
    var cell = el("td");
    if (!d || d.present === "-") { cell.appendChild(el("span", { className: "muted", text: "—" })); return cell; }
    var wrong = disagrees(model, theme, i);
    cell.appendChild(el("span", { className: d.present === "1" ? "yes" : "no", text: d.present === "1" ? "✓ yes" : "✗ no" }));
    cell.appendChild(document.createTextNode(" " + fmt(d.score, 2) + (wrong ? " ≠ standard" : "")));
    if (d.fold === "L") cell.appendChild(el("span", { className: "terms", text: "decided by a model that saw this label (never scored)" }));
    var m = MODELS.indexOf(model);
    var topicsOfTheme = TOPIC_THEME[model] || null;
    (evidence[i] || []).forEach(function (rec) {
      if (rec[0] !== m) return;
      var label = rec[1];
      if (label === theme) cell.appendChild(el("span", { className: "terms", text: rec[2].replace(/_/g, " ") }));
      else if (topicsOfTheme && topicsOfTheme[label] === theme) cell.appendChild(el("span", { className: "terms", text: label + ": " + rec[2].replace(/_/g, " ") }));
    });
    return cell;
  }

  function openDoc(i) {
    docState.selected = i;
    var view = $("doc-view");
    var body = clear($("doc-body"));
    var model = $("doc-evidence-model").value;
    body.appendChild(el("h2", { id: "doc-view-title", text: D.title[i] || D.doc_id[i] }));
    var meta = [D.doc_id[i], D.date[i], level(D.doc_type, i), level(D.source, i), level(D.speaker, i),
      D.n_words[i] !== null ? D.n_words[i] + " words" : ""].filter(Boolean).join(" · ");
    body.appendChild(el("p", { className: "doc-meta", text: meta }));
    if (urls[i]) body.appendChild(el("p", { className: "doc-url", title: "the original (copy it to open it)", text: urls[i] }));

    var topics = (docTopics[i] || []).filter(function (rec, n) { return n === 0 || rec[2] >= 0.01; });
    if (topics.length) {
      var line = el("p", { className: "small" }, ["Largest topics: "]);
      topics.forEach(function (rec, n) {
        var tm = TM[rec[0]];
        var topic = tm.topics[rec[1]];
        line.appendChild(el("a", { href: "#topic=" + encodeURIComponent(tm.model) + "/" + encodeURIComponent(topic.id), text: topicLabel(topic) }));
        line.appendChild(document.createTextNode(" " + fmt(rec[2], 2) + (n < topics.length - 1 ? "; " : ".")));
      });
      body.appendChild(line);
    }

    var summary = el("p", { className: "small" }, [(GOLD ? GOLD_NAME : "standard") + ": "]);
    Array.from(goldCell(i).childNodes).forEach(function (node) { summary.appendChild(node); });
    summary.appendChild(document.createTextNode("   " + model + ": "));
    Array.from(modelCell(model, i).childNodes).forEach(function (node) { summary.appendChild(node); });
    body.appendChild(summary);

    var terms = evidenceTerms(i, model);
    var legend = el("p", { className: "legend" }, ["Highlighted: indicator phrases of the codebook, coloured by theme ("]);
    THEMES.forEach(function (t, k) {
      var sample = el("mark", { className: "ind", text: t.id });
      sample.style.setProperty("--theme", t.colour);
      legend.appendChild(sample);
      if (k < THEMES.length - 1) legend.appendChild(document.createTextNode(" "));
    });
    legend.appendChild(document.createTextNode("), and, dashed, the evidence " + model + " reports for this document"));
    legend.appendChild(document.createTextNode(terms.length ? " (" + terms.join("; ").replace(/_/g, " ") + ")." : " (none)."));
    body.appendChild(legend);
    var textBox = el("div", { className: "doc-text", id: "doc-text" });
    if (!detailsLoaded) textBox.appendChild(el("p", { className: "empty", text: "The text is still being unpacked…" }));
    var evidenceRe = phrasesRegex(terms, true);
    var text = texts[i] || "";
    if (detailsLoaded && !text) textBox.appendChild(el("p", { className: "empty", text: "No text for this document." }));
    text.split(/\n\s*\n/).forEach(function (paragraph) {
      if (paragraph.trim()) textBox.appendChild(el("p", {}, [highlighted(paragraph, evidenceRe)]));
    });
    body.appendChild(textBox);
    body.appendChild(el("h3", { text: "Themes: the standard and each model, with the reason" }));
    var table = el("table", { className: "reasons" });
    table.appendChild(el("thead", {}, [el("tr", {}, [el("th", { text: "theme" }), el("th", { text: GOLD ? GOLD_NAME : "standard" })]
      .concat(MODELS.map(function (m) { return el("th", { text: m }); })))]));
    var tbody = el("tbody");
    THEMES.forEach(function (t, k) {
      var g = goldValue(t.id, i);
      var row = el("tr", {}, [
        el("td", {}, [chip(t.id, k, "on", SHORT[k], false, t.label), " " + t.id]),
        el("td", { className: g === "1" ? "yes" : "no", text: g === "1" ? "✓ yes" : g === "0" ? "✗ no" : "not coded" })
      ].concat(MODELS.map(function (m) { return reasonCell(m, t.id, i); })));
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    body.appendChild(el("div", { className: "table-wrap" }, [table]));

    view.hidden = false;
    view.scrollTop = 0;
    document.querySelectorAll("#doc-rows tr").forEach(function (row) { row.classList.toggle("selected", row.dataset.doc === D.doc_id[i]); });
  }

  function closeDoc(fromRoute) {
    if ($("doc-view").hidden) return;
    $("doc-view").hidden = true;
    docState.selected = null;
    if (!fromRoute && location.hash.indexOf("#doc=") === 0) history.replaceState(null, "", "#documents");
  }

  // ------------------------------------------------------------ over time
  var P = DATA.prevalence;
  var TRADE = DATA.trade;

  function setupTime() {
    if (!P) {
      emptyTab("time", "This run has no prevalence table (the timeseries stage did not run).");
      return;
    }
    var sources = P.source.levels.slice();
    var preferred = sources.indexOf("gold") >= 0 ? "gold" : sources[0];
    fill($("time-source"), sources.map(function (s) { return [s, s === "gold" ? "gold (the standard coding)" : s]; }), preferred);
    var themes = P.theme.levels.slice();
    fill($("time-theme"), themes.map(function (t) { return [t, t]; }), themes[0]);
    var series = TRADE ? TRADE.trade_series.levels : [];
    fill($("time-trade"), [["", "none"]].concat(series.map(function (s) { return [s, s]; })), series.length ? series[0] : "");
    ["time-compare", "time-source", "time-theme", "time-trade", "time-bands"].forEach(function (id) {
      $(id).addEventListener("change", function () { drawn.time = false; drawTime(); });
    });
  }

  function dateOf(period) {
    if (/^\d{4}$/.test(period)) return period + "-07-01";
    if (/^\d{4}-\d{2}$/.test(period)) return period + "-15";
    return period;
  }

  function drawTime() {
    if (currentTab !== "time" || !P || drawn.time) return;
    var compare = $("time-compare").value;
    $("time-source-label").hidden = compare !== "themes";
    $("time-theme-label").hidden = compare !== "sources";
    var source = $("time-source").value, theme = $("time-theme").value, bands = $("time-bands").checked;
    var keys = compare === "themes" ? P.theme.levels : P.source.levels;
    var traces = [];
    var gapX = [], gapText = [];
    var annual = P.period.length && /^\d{4}$/.test(P.period[0]);
    keys.forEach(function (key, k) {
      var rows = [];
      for (var r = 0; r < P.n; r++) {
        var s = level(P.source, r), t = level(P.theme, r);
        if (compare === "themes" ? (s === source && t === key) : (t === theme && s === key)) rows.push(r);
      }
      if (!rows.length) return;
      rows.sort(function (a, b) { return P.period_start[a] < P.period_start[b] ? -1 : P.period_start[a] > P.period_start[b] ? 1 : 0; });
      var colour = compare === "themes" && THEME_BY_ID[key] ? THEME_BY_ID[key].colour : PALETTE[k % PALETTE.length];
      var x = rows.map(function (r) { return annual ? dateOf(P.period[r]) : P.period_start[r]; });
      var empty = function (r) { return !P.n_docs[r] || P.share[r] === null; };
      var share = rows.map(function (r) { return empty(r) ? null : P.share[r]; });
      if (bands) {
        traces.push({ type: "scatter", mode: "lines", x: x, y: rows.map(function (r) { return empty(r) ? null : P.low[r]; }),
          line: { width: 0, color: colour }, hoverinfo: "skip", showlegend: false, legendgroup: key, xaxis: "x", yaxis: "y" });
        traces.push({ type: "scatter", mode: "lines", x: x, y: rows.map(function (r) { return empty(r) ? null : P.high[r]; }),
          line: { width: 0, color: colour }, fill: "tonexty", fillcolor: rgba(colour, 0.12), hoverinfo: "skip", showlegend: false,
          legendgroup: key, xaxis: "x", yaxis: "y" });
      }
      traces.push({
        type: "scatter", mode: "lines+markers", name: plain(key), legendgroup: key, x: x, y: share,
        line: { color: colour, width: 2 }, connectgaps: false,
        marker: { color: colour, size: 7, symbol: rows.map(function (r) { return level(P.flag, r) ? "circle-open" : "circle"; }) },
        hovertext: rows.map(function (r) {
          return plain(key) + " " + plain(P.period[r]) + ": " + (empty(r) ? "no documents" : pct(P.share[r]) + " [" + pct(P.low[r]) + ", "
            + pct(P.high[r]) + "], n = " + P.n_docs[r]) + (level(P.flag, r) ? " (" + plain(level(P.flag, r)) + ")" : "");
        }),
        hoverinfo: "text", xaxis: "x", yaxis: "y"
      });
      rows.forEach(function (r) { if (empty(r) && gapX.indexOf(x[rows.indexOf(r)]) < 0) { gapX.push(x[rows.indexOf(r)]); gapText.push(P.period[r] + ": no documents"); } });
    });
    if (gapX.length) traces.push({ type: "scatter", mode: "markers", name: "no documents", x: gapX, y: gapX.map(function () { return 0; }),
      marker: { symbol: "x", color: "#5b6776", size: 9 }, hovertext: gapText.map(plain), hoverinfo: "text", xaxis: "x", yaxis: "y" });

    var series = $("time-trade").value;
    var layout = {
      margin: { l: 70, r: 20, t: 20, b: 40 }, hovermode: "closest",
      legend: { orientation: "h", x: 0, y: -0.08 },
      xaxis: { type: "date", anchor: series ? "y2" : "y", title: { text: "period" } },
      yaxis: { title: { text: "share of documents" }, tickformat: ".0%", rangemode: "tozero", domain: series ? [0.42, 1] : [0, 1] }
    };
    if (series && TRADE) {
      var rows = [];
      for (var r = 0; r < TRADE.n; r++) if (level(TRADE.trade_series, r) === series) rows.push(r);
      rows.sort(function (a, b) { return TRADE.period[a] < TRADE.period[b] ? -1 : 1; });
      var unit = rows.length ? level(TRADE.unit, rows[0]) : "";
      var x = rows.map(function (r) { return dateOf(TRADE.period[r]); });
      traces.push({
        type: "scatter", mode: "lines+markers", name: plain(series), x: x, y: rows.map(function (r) { return TRADE.value[r]; }),
        connectgaps: false, line: { color: "#1d2733", width: 2 },
        marker: { color: "#1d2733", size: 7, symbol: rows.map(function (r) { return level(TRADE.source_class, r) === "official_tabulation" ? "square" : "square-open"; }) },
        hovertext: rows.map(function (r) {
          return plain(series) + " " + plain(TRADE.period[r]) + ": " + (TRADE.value[r] === null ? "gap" : TRADE.value[r].toLocaleString("en") + " " + plain(unit))
            + (level(TRADE.source_class, r) ? " (" + plain(level(TRADE.source_class, r)) + ")" : "") + (level(TRADE.flag, r) ? "; " + plain(level(TRADE.flag, r)) : "");
        }),
        hoverinfo: "text", xaxis: "x", yaxis: "y2"
      });
      var gaps = rows.filter(function (r) { return TRADE.value[r] === null; });
      if (gaps.length) traces.push({ type: "scatter", mode: "markers", name: "trade gap", x: gaps.map(function (r) { return dateOf(TRADE.period[r]); }),
        y: gaps.map(function () { return 0; }), marker: { symbol: "x", color: "#c0392b", size: 9 },
        hovertext: gaps.map(function (r) { return plain(TRADE.period[r] + ": " + (level(TRADE.flag, r) || "no figure")); }), hoverinfo: "text", xaxis: "x", yaxis: "y2" });
      layout.yaxis2 = { domain: [0, 0.32], anchor: "x", rangemode: "tozero", title: { text: plain(unit) } };
    }
    Plotly.react($("time-chart"), traces, layout, PLOT_CONFIG);
    drawn.time = true;
  }

  // ------------------------------------------------------------ claims
  var C = DATA.claims;
  var claimState = { sortKey: "date", sortDir: 1 };

  function setupClaims() {
    if (!C) {
      emptyTab("claims", "This run has no claims table (the claims stage did not run).");
      return;
    }
    fill($("claim-verdict"), [["", "all"]].concat(C.verdict.levels.map(function (v) { return [v, v]; })), "");
    var years = Array.from(new Set(C.year.filter(function (y) { return y !== null; }))).sort();
    fill($("claim-year"), [["", "all"]].concat(years.map(function (y) { return [String(y), String(y)]; })), "");
    fill($("claim-subject"), [["", "all"]].concat(C.subject.levels.slice().sort().map(function (s) { return [s, s || "(none)"]; })), "");
    ["claim-verdict", "claim-year", "claim-subject"].forEach(function (id) { $(id).addEventListener("change", renderClaims); });
    $("claim-search").addEventListener("input", debounce(renderClaims, 150));
    document.querySelectorAll("#claim-table th.sortable").forEach(function (th) {
      th.addEventListener("click", function () {
        var key = th.dataset.sort;
        claimState.sortDir = claimState.sortKey === key ? -claimState.sortDir : 1;
        claimState.sortKey = key;
        renderClaims();
      });
    });
  }

  function renderClaims() {
    if (currentTab !== "claims" || !C) return;
    var verdict = $("claim-verdict").value, year = $("claim-year").value, subject = $("claim-subject").value;
    var words = $("claim-search").value.toLowerCase().split(/\s+/).filter(Boolean);
    var rows = [];
    for (var r = 0; r < C.n; r++) {
      if (verdict && level(C.verdict, r) !== verdict) continue;
      if (year && String(C.year[r]) !== year) continue;
      if (subject && level(C.subject, r) !== subject) continue;
      if (words.length) {
        var hay = (C.doc_id[r] + " " + C.claim_text[r] + " " + C.note[r] + " " + level(C.subject, r)).toLowerCase();
        if (!words.every(function (w) { return hay.indexOf(w) >= 0; })) continue;
      }
      rows.push(r);
    }
    var key = claimState.sortKey, dir = claimState.sortDir;
    function value(r) {
      if (key === "doc") return C.doc_id[r];
      if (key === "date") return C.date[r];
      if (key === "year") return C.year[r] === null ? -Infinity : C.year[r];
      if (key === "subject") return level(C.subject, r);
      if (key === "verdict") return level(C.verdict, r);
      if (key === "difference") return C.relative_difference[r] === null ? -Infinity : Math.abs(C.relative_difference[r]);
      return r;
    }
    rows.sort(function (a, b) { var va = value(a), vb = value(b); return (va < vb ? -dir : va > vb ? dir : 0) || (a - b); });
    $("claim-count").textContent = rows.length + " of " + C.n + " claims";
    document.querySelectorAll("#claim-table th.sortable").forEach(function (th) {
      th.classList.toggle("sorted-asc", th.dataset.sort === key && dir > 0);
      th.classList.toggle("sorted-desc", th.dataset.sort === key && dir < 0);
    });
    var body = clear($("claim-rows"));
    rows.forEach(function (r) {
      var i = DOC_INDEX[C.doc_id[r]];
      var docCell = el("td", { className: "nowrap" }, [i === undefined ? C.doc_id[r]
        : el("a", { href: "#doc=" + encodeURIComponent(C.doc_id[r]), title: D.title[i], text: C.doc_id[r] })]);
      var reference = el("td", { title: C.official_source[r] || "" }, C.official_value[r] === null ? [] : [
        C.official_value[r].toLocaleString("en") + " " + level(C.official_unit, r),
        el("span", { className: "doc-id", text: level(C.reference_source_class, r) })]);
      var difference = C.difference[r] === null ? "" : C.difference[r].toLocaleString("en", { maximumSignificantDigits: 4 })
        + (C.relative_difference[r] === null ? "" : " (" + (C.relative_difference[r] >= 0 ? "+" : "") + (100 * C.relative_difference[r]).toFixed(1) + "%)");
      body.appendChild(el("tr", { dataset: { claim: String(r) } }, [
        docCell,
        el("td", { className: "nowrap", text: C.date[r] }),
        el("td", {}, [C.claim_text[r], el("span", { className: "doc-id", text: level(C.claim_type, r) + (C.note[r] ? " · " + C.note[r] : "") })]),
        el("td", { className: "num", text: C.year[r] === null ? "" : String(C.year[r]) }),
        el("td", { text: level(C.subject, r) }),
        reference,
        el("td", { text: level(C.verdict, r) }),
        el("td", { className: "num", text: difference }),
        el("td", { text: level(C.reference_independence, r) })
      ]));
    });
    if (!rows.length) body.appendChild(el("tr", {}, [el("td", { colspan: "9", className: "empty", text: "No claim matches." })]));
  }

  // ------------------------------------------------------------ start
  function start() {
    $("page-title").textContent = DATA.title;
    $("page-subtitle").textContent = DATA.subtitle;
    document.title = DATA.title;
    if (DATA.report) $("report-link").setAttribute("href", DATA.report);
    else $("report-link-box").hidden = true;
    setupTopics();
    setupDocuments();
    setupTime();
    setupClaims();
    route();
    window.hkExplorer.timings.ui = performance.now();
    document.documentElement.dataset.ui = "ready";
    setStatus("Unpacking the texts of " + N + " documents…");
    loadDetails().then(function () {
      detailsLoaded = true;
      lowerTexts = null;
      if (currentTab === "documents") renderDocs();
      if (docState.selected !== null) openDoc(docState.selected);
      setStatus("");
      window.hkExplorer.timings.details = performance.now();
      window.hkExplorer.timings.script = started;
      document.documentElement.dataset.ready = "true";
    }).catch(function (error) {
      setStatus("Could not unpack the texts: " + error);
      console.error(error);
    });
  }

  try {
    start();
  } catch (error) {
    setStatus("The explorer failed to start: " + error);
    throw error;
  }
})();
