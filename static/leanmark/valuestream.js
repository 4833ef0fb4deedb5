// Value stream map page: drag and drop of steps (SortableJS, then HTMX asks the server, which
// answers with the redrawn map, summary and step list), the drawing's zoom toggle, and confirms.
// A drawing opens fitted to the page's width (class "fit"); its button, or a click on a
// "zoomable" drawing (the comparison's), shows it at actual size, scrolled to where it was clicked.
// A redraw by HTMX keeps the size and scroll position the person chose.
(function () {
  var kept = {};
  function zoom(canvas, fit, ratio, offset) {
    canvas.classList.toggle("fit", fit);
    var button = document.querySelector('.vsm-zoom[aria-controls="' + canvas.id + '"]');
    if (button) button.textContent = fit ? "Show actual size" : "Fit to width";
    if (!fit && ratio !== undefined) canvas.scrollLeft = ratio * canvas.scrollWidth - offset;
  }
  function restore(root) {
    Object.keys(kept).forEach(function (id) {
      var canvas = document.getElementById(id);
      if (!canvas || !root.contains(canvas) || kept[id].fit) return;
      zoom(canvas, false);
      canvas.scrollLeft = kept[id].left;
    });
  }
  function onEnd(event) {
    var item = event.item, list = event.to;
    if (event.from === event.to && event.oldIndex === event.newIndex) return;
    var order = [];
    list.querySelectorAll(":scope > .vsm-step").forEach(function (li) { order.push(li.dataset.step); });
    htmx.ajax("POST", item.dataset.moveUrl, {
      target: "#vsm-main", swap: "outerHTML",
      values: { stage: list.dataset.stage, order: order.join(",") },
    });
  }
  function init(root) {
    restore(root);
    var main = root.id === "vsm-main" ? root : root.querySelector && root.querySelector("#vsm-main");
    if (!main || main.dataset.readonly === "1" || typeof Sortable === "undefined") return;
    main.querySelectorAll(".vsm-step-list").forEach(function (list) {
      Sortable.create(list, {
        group: "vsm-steps", animation: 120, handle: ".handle", draggable: ".vsm-step:not(.editing)",
        onEnd: onEnd,
      });
    });
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.matches(".vsm-zoom")) {
      var canvas = document.getElementById(target.getAttribute("aria-controls"));
      zoom(canvas, !canvas.classList.contains("fit"));
      kept[canvas.id] = { fit: canvas.classList.contains("fit"), left: canvas.scrollLeft };
    }
    var zoomable = target.closest && target.closest(".vsm-canvas.zoomable");
    if (zoomable) {
      var box = zoomable.getBoundingClientRect();
      var offset = event.clientX - box.left;
      zoom(zoomable, !zoomable.classList.contains("fit"), (offset + zoomable.scrollLeft) / zoomable.scrollWidth, offset);
    }
    if (target.matches("button[data-confirm]") && !window.confirm(target.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("scroll", function (event) {
    var canvas = event.target;
    if (canvas.classList && canvas.classList.contains("vsm-canvas") && kept[canvas.id]) kept[canvas.id].left = canvas.scrollLeft;
  }, true);
  if (typeof htmx !== "undefined") htmx.onLoad(init);
  else document.addEventListener("DOMContentLoaded", function () { init(document.body); });
})();
