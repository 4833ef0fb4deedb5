// Keyboard shortcuts and small behaviours shared by every page (no inline scripts: CSP-ready).
(function () {
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
    if (event.key === "n") {
      var dialog = document.getElementById("new-card");
      if (dialog) { event.preventDefault(); dialog.showModal(); }
    } else if (event.key === "/") {
      var filter = document.getElementById("filter-text");
      if (filter) { event.preventDefault(); filter.focus(); }
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.id === "new-card-open") document.getElementById("new-card").showModal();
    if (target.matches("dialog .close")) target.closest("dialog").close();
    if (target.matches(".alert .dismiss")) target.closest(".alert").remove();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var dialog = document.getElementById("new-card");
    if (dialog && dialog.open && event.detail.successful && dialog.contains(event.detail.elt)) {
      dialog.close();
      dialog.querySelector("form").reset();
    }
  });
})();
