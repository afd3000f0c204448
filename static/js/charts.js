/*
 * Draws every chart on the page. No inline scripts: the page holds, for each chart,
 *
 *   <div data-chart="chart-id"></div>
 *   <script type="application/json" id="chart-id">{...figure...}</script>   (json_script)
 *
 * and this file (loaded after plotly.js, both from this site) draws them, so a strict
 * CSP "script-src 'self'" holds. One broken chart never stops the others.
 *
 * A map (dashboard.charts.corridor_map) also has data-boundaries, the URL of this site's
 * provinces file (dashboard/boundaries.py): its areas are drawn under the figure's traces, filled
 * as layout.meta.areas says. Where layout.meta.links is set, a click on a point opens the page
 * whose path is its customdata[0].
 *
 * On a right-to-left page (Urdu: <html dir="rtl">) every chart but a map is mirrored: value
 * axes read from the right (x reversed), y axes and legends sit on the right, hover labels
 * align right, and the Urdu typeface comes first. A map keeps east on the right.
 * The text shown when a chart fails is the element's data-failed-text (translated), if any.
 */
(function () {
  "use strict";

  var FAILED_TEXT = "Chart could not be drawn";

  // No links or uploads to plotly's cloud, no logo, no lasso/box select or image export.
  // The toolbar shows only while the pointer is over a chart, in the top margin that
  // base_layout() keeps free for it; legends sit at the bottom, so it never covers one.
  var CONFIG = {
    displayModeBar: "hover",
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"],
    showLink: false,
    plotlyServerURL: "",
    showSendToCloud: false,
    showEditInChartStudio: false,
  };

  var RTL = document.documentElement.getAttribute("dir") === "rtl";
  var LANG = document.documentElement.getAttribute("lang") || "en";

  // Dates on the axes and in hover labels in the page's language: plotly writes English month
  // names unless a locale is registered. Urdu's month and day names come from the browser's own
  // Intl data (nothing fetched); figures keep Western digits.
  function pageLocale() {
    if (LANG.indexOf("en") === 0 || typeof Plotly === "undefined" || typeof Plotly.register !== "function" || !window.Intl) {
      return null;
    }
    function names(options, count, dateOf) {
      var format = new Intl.DateTimeFormat(LANG, Object.assign({ timeZone: "UTC" }, options));
      var out = [];
      for (var i = 0; i < count; i++) {
        out.push(format.format(dateOf(i)));
      }
      return out;
    }
    function month(i) {
      return new Date(Date.UTC(2021, i, 1));
    }
    function day(i) {
      return new Date(Date.UTC(2021, 0, 3 + i)); // 3 Jan 2021 was a Sunday
    }
    try {
      Plotly.register({
        moduleType: "locale",
        name: LANG,
        dictionary: {},
        format: {
          months: names({ month: "long" }, 12, month),
          shortMonths: names({ month: "long" }, 12, month),
          days: names({ weekday: "long" }, 7, day),
          shortDays: names({ weekday: "short" }, 7, day),
        },
      });
      return LANG;
    } catch (error) {
      console.warn("Chart dates stay in English:", error);
      return null;
    }
  }

  function fail(el, error) {
    console.error("Chart " + el.getAttribute("data-chart") + " could not be drawn:", error);
    el.textContent = el.getAttribute("data-failed-text") || FAILED_TEXT; // text only, never markup
    el.setAttribute("data-drawn", "false");
  }

  // The rings of each area as one line trace, filled; the country's outline on top of them.
  function areaTraces(boundaries, meta) {
    var traces = [];
    function ringsXY(rings) {
      var x = [];
      var y = [];
      rings.forEach(function (ring) {
        ring.forEach(function (point) {
          x.push(point[0]);
          y.push(point[1]);
        });
        x.push(null);
        y.push(null);
      });
      return { x: x, y: y };
    }
    boundaries.areas.forEach(function (area) {
      var look = (meta.areas || {})[area.region] || {};
      var xy = ringsXY(area.rings);
      traces.push({
        type: "scatter",
        mode: "lines",
        x: xy.x,
        y: xy.y,
        fill: "toself",
        fillcolor: look.fill || "#f4f4f1",
        line: { color: "#ffffff", width: 1 },
        hoveron: "fills",
        hoverinfo: "text",
        text: look.text || area.name,
        name: area.name,
        showlegend: false,
      });
    });
    var outline = ringsXY(boundaries.outline);
    traces.push({
      type: "scatter",
      mode: "lines",
      x: outline.x,
      y: outline.y,
      line: { color: meta.outline || "#888888", width: 1 },
      hoverinfo: "skip",
      showlegend: false,
    });
    return traces;
  }

  function withBoundaries(el, fig) {
    var url = el.getAttribute("data-boundaries");
    if (!url) {
      return Promise.resolve(fig);
    }
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("boundaries: HTTP " + response.status);
        }
        return response.json();
      })
      .then(
        function (boundaries) {
          var meta = (fig.layout && fig.layout.meta) || {};
          fig.data = areaTraces(boundaries, meta).concat(fig.data || []);
          return fig;
        },
        // Without the provinces the projects are still drawn where they are.
        function (error) {
          console.error("Map " + el.getAttribute("data-chart") + ": provinces not drawn:", error);
          return fig;
        }
      );
  }

  // A click on a project opens its page: only a path on this site, never another address.
  function followLinks(el, fig) {
    if (!(fig.layout && fig.layout.meta && fig.layout.meta.links) || typeof el.on !== "function") {
      return;
    }
    el.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var path = point && point.customdata && point.customdata[0];
      if (typeof path === "string" && path.charAt(0) === "/" && path.charAt(1) !== "/") {
        window.location.assign(path);
      }
    });
  }

  // Right to left: mirror a chart's axes and legend (not a map's: its x is longitude).
  function mirrored(el, fig) {
    var layout = fig.layout || {};
    if (!RTL || el.hasAttribute("data-boundaries") || (layout.meta && layout.meta.areas)) {
      return fig;
    }
    Object.keys(layout).forEach(function (key) {
      var axis = layout[key];
      if (!axis || typeof axis !== "object") {
        return;
      }
      if (/^xaxis\d*$/.test(key)) {
        if (Array.isArray(axis.range) && axis.range.length === 2) {
          axis.range = [axis.range[1], axis.range[0]];
        } else {
          axis.autorange = "reversed";
        }
      } else if (/^yaxis\d*$/.test(key)) {
        axis.side = "right";
      }
    });
    if (!layout.xaxis && (fig.data || []).some(function (t) { return t.type === "bar" || t.type === "scatter"; })) {
      layout.xaxis = { autorange: "reversed" };
    }
    if (layout.yaxis === undefined && (fig.data || []).some(function (t) { return t.type === "bar" || t.type === "scatter"; })) {
      layout.yaxis = { side: "right" };
    }
    // The room kept for the y axis's labels moves with it to the right.
    if (layout.margin) {
      var left = layout.margin.l;
      var right = layout.margin.r;
      layout.margin.l = right === undefined ? 80 : right;
      layout.margin.r = left === undefined ? 80 : left;
    }
    if (layout.legend) {
      layout.legend.x = 1;
      layout.legend.xanchor = "right";
    }
    layout.hoverlabel = Object.assign({ align: "right" }, layout.hoverlabel || {});
    var font = layout.font || {};
    font.family = '"Noto Naskh Arabic", ' + (font.family || "system-ui, sans-serif");
    layout.font = font;
    fig.layout = layout;
    return fig;
  }

  function draw(el) {
    try {
      if (typeof Plotly === "undefined") {
        throw new Error("plotly.js is not loaded");
      }
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) {
        throw new Error("no figure data element");
      }
      var fig = mirrored(el, JSON.parse(source.textContent));
      // newPlot returns a promise; a failure while drawing (or reading the boundaries) rejects it.
      withBoundaries(el, fig)
        .then(function (full) {
          return Promise.resolve(Plotly.newPlot(el, full.data || [], full.layout || {}, CONFIG)).then(function () {
            followLinks(el, full);
          });
        })
        .then(
          function () {
            el.setAttribute("data-drawn", "true");
          },
          function (error) {
            fail(el, error);
          }
        );
    } catch (error) {
      fail(el, error);
    }
  }

  // One chart per task: drawing all of them in one go blocked the page for about half a second
  // on the dashboard (Lighthouse's total blocking time); between charts the browser can paint
  // and answer the reader.
  function drawAll() {
    var locale = pageLocale();
    if (locale) {
      CONFIG.locale = locale;
    }
    var charts = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    (function next() {
      var el = charts.shift();
      if (!el) {
        return;
      }
      draw(el);
      setTimeout(next, 0);
    })();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
