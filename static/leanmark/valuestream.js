// Value stream map page: drag and drop of steps (SortableJS, then HTMX asks the server, which
// answers with the redrawn map, summary and step list), the drawing's zoom toggle, and confirms.
(function () {
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
      var canvas = target.closest("section").querySelector(".vsm-canvas");
      var fit = canvas.classList.toggle("fit");
      target.textContent = fit ? "Actual size" : "Fit to width";
      target.setAttribute("aria-pressed", fit ? "true" : "false");
    }
    if (target.matches("button[data-confirm]") && !window.confirm(target.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  if (typeof htmx !== "undefined") htmx.onLoad(init);
  else document.addEventListener("DOMContentLoaded", function () { init(document.body); });
})();
