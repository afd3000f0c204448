/*
 * Draws every chart on the page. No inline scripts: the page holds, for each chart,
 *
 *   <div data-chart="chart-id"></div>
 *   <script type="application/json" id="chart-id">{...figure...}</script>   (json_script)
 *
 * and this file (loaded after plotly.js, both from this site) draws them, so a strict
 * CSP "script-src 'self'" holds. One broken chart never stops the others.
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

  function fail(el, error) {
    console.error("Chart " + el.getAttribute("data-chart") + " could not be drawn:", error);
    el.textContent = FAILED_TEXT; // text only, never markup
    el.setAttribute("data-drawn", "false");
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
      var fig = JSON.parse(source.textContent);
      // newPlot returns a promise; a failure while drawing rejects it.
      Promise.resolve(Plotly.newPlot(el, fig.data || [], fig.layout || {}, CONFIG)).then(
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
