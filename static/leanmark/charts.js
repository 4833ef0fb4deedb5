// Draws every Vega-Lite chart placeholder written by the `vega_chart` template tag
// (leanmark/lib/charts.py). The vendored vega files load once, on the first page with a chart.
// Expressions run in vega's interpreter (`ast: true`): the strict CSP forbids eval.
(function () {
  var loading = null;

  function load(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }

  function libraries() {
    if (window.vegaEmbed) return Promise.resolve();
    if (!loading) {
      var meta = document.querySelector("meta[name=lm-vega]");
      var sources = meta ? meta.content.split(" ") : [];
      loading = sources.reduce(function (chain, src) {
        return chain.then(function () { return load(src); });
      }, Promise.resolve());
    }
    return loading;
  }

  function draw(root) {
    var placeholders = (root || document).querySelectorAll(".vega-chart[data-spec]:not([data-drawn])");
    if (!placeholders.length) return;
    libraries().then(function () {
      placeholders.forEach(function (el) {
        var data = document.getElementById(el.dataset.spec);
        if (!data || el.dataset.drawn) return;
        el.dataset.drawn = "1";
        var spec = JSON.parse(data.textContent);
        window.vegaEmbed(el, spec, {
          ast: true,
          defaultStyle: false,
          renderer: "svg",
          tooltip: { disableDefaultStyle: true },
          actions: { export: true, source: false, compiled: false, editor: false }
        }).catch(function (error) {
          el.textContent = "This chart could not be drawn: " + error.message;
          el.classList.add("chart-error");
        });
      });
    }).catch(function (error) {
      placeholders.forEach(function (el) { el.textContent = "Charts are unavailable: " + error.message; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.detail.elt); });
})();
