"""The page's script: draws every chart to the width of its container and wires the CSV
buttons. Narrow screens get shorter category labels, wrapped titles and the phone-wrapped notes
(the ``narrow`` param of :func:`skilltide.reports.charts.explorer_chart`).
"""

from __future__ import annotations

# Boots every chart and wires the CSV buttons. Concatenated charts cannot use the container
# width, so the width is set from the element before embedding.
BOOT = """
(function () {
  "use strict";
  function fitWidths(spec, width) {
    var parts = spec.vconcat || spec.hconcat;
    if (!parts) { return spec; }
    parts.forEach(function (part) { if (part.width === "container") { part.width = width; } });
    return spec;
  }
  function wrap(text, max) {
    if (typeof text !== "string" || text.length <= max) { return text; }
    var lines = [], line = "";
    text.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > max) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    return lines.concat(line ? [line] : []);
  }
  function wrapTitles(node, width) {
    // A title wider than the chart pushed the chart's left edge out of view: wrap it instead.
    if (Array.isArray(node)) { node.forEach(function (n) { wrapTitles(n, width); }); return; }
    if (!node || typeof node !== "object") { return; }
    var x = node.encoding && node.encoding.x;
    if (x && typeof x.title === "string") { x.title = wrap(x.title, Math.floor(width / 14)); }
    var legend = node.encoding && node.encoding.color && node.encoding.color.legend;
    if (legend && typeof legend === "object") {  // a chart's own legend overrides the config
      legend.columns = 1;
      // the legend starts where the plot does: after the category labels, if any
      var y = node.encoding.y;
      var categories = y && y.type === "nominal" && y.axis !== null;
      legend.labelLimit = categories ? Math.floor(width * 0.4) : width - 60;
      if (legend.orient === "right") { legend.orient = "bottom"; }  // leave the plot the width
    }
    if (node.title && typeof node.title === "object" && !Array.isArray(node.title)) {
      node.title.text = wrap(node.title.text, Math.floor(width / 10));
      node.title.subtitle = wrap(node.title.subtitle, Math.floor(width / 7.5));
    }
    ["layer", "vconcat", "hconcat"].forEach(function (key) { wrapTitles(node[key], width); });
  }
  function fitLabels(spec, width) {
    // Notes under a chart come wrapped at 90 characters (~650 px with the axis) and at 38;
    // the network names fewer skills when narrow, so that their names do not collide.
    (spec.params || []).forEach(function (p) {
      if (p.name === "narrow" && width < 660) { p.value = true; }
    });
    // On narrow screens long category labels would leave no room for the plot itself.
    if (width >= 640) { return spec; }
    wrapTitles(spec, width);
    var config = spec.config = spec.config || {};
    config.axis = Object.assign({}, config.axis, {labelLimit: Math.floor(width * 0.4)});
    // a tick label that would run past the axis end is left out, not cut by the chart edge,
    // and of tick labels closer than 6 px every other one is left out
    config.axisX = Object.assign({}, config.axisX, {labelFlush: true, labelBound: true,
                                                    labelOverlap: true, labelSeparation: 6});
    config.legend = Object.assign({}, config.legend, {labelLimit: width - 40,
                                                      titleLimit: width - 40, columns: 1});
    return spec;
  }
  function embed(el) {
    var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
    var width = Math.max(240, Math.floor(el.getBoundingClientRect().width) - 40);
    return vegaEmbed(el, fitLabels(fitWidths(spec, width), width), {
      renderer: "svg",
      actions: {export: true, source: false, compiled: false, editor: false},
      downloadFileName: el.id
    }).then(function (result) {
      el.dataset.rendered = "true";
      return result;
    }).catch(function (error) {
      el.dataset.rendered = "failed";
      el.textContent = "This chart could not be drawn: " + error.message;
      el.className += " chart-error";
      console.error(error);
    });
  }
  var charts = Array.prototype.slice.call(document.querySelectorAll("[data-spec]"));
  window.skilltideReady = Promise.all(charts.map(embed)).then(function () {
    return charts.length;
  });
  document.querySelectorAll("button[data-csv]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = JSON.parse(document.getElementById(button.dataset.csv).textContent);
      var blob = new Blob(["\\ufeff" + text], {type: "text/csv;charset=utf-8"});
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = button.dataset.filename;
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
    });
  });
})();
"""
