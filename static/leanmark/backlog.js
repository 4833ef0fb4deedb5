// Idea capture from any page (key i, and n where the page has no new-card dialog), the backlog's
// bulk selection, and the triage page's keyboard scoring. No inline scripts (CSP).
(function () {
  function typing(el) {
    return window.Leanmark.typing(el);  // static/leanmark/app.js
  }
  function focusTitle() {
    var input = document.querySelector("#idea-capture input[name=title]");
    if (input) { input.focus(); input.select(); }
  }
  function openCapture() {
    var dialog = document.getElementById("idea-capture");
    if (!dialog) return false;
    if (!dialog.open) dialog.showModal();
    focusTitle();
    return true;
  }
  function triageKey(key) {
    var triage = document.querySelector("[data-triage]");
    if (!triage) return false;
    if (key === "e") {
      var first = triage.querySelector("[data-score-field]");
      if (first) { first.focus(); first.select(); return true; }
      return false;
    }
    var target = triage.querySelector("[data-key='" + key + "']");
    if (!target) return false;
    if (target.tagName === "A") { location.assign(target.href); return true; }
    var reason = document.getElementById("decide-reason");
    if ((key === "p" || key === "r") && reason && !reason.value.trim()) {
      reason.focus();
      reason.placeholder = "Why " + (key === "p" ? "park" : "reject") + " it? Then press Enter";
      reason.dataset.pending = key === "p" ? "parked" : "rejected";
      return true;
    }
    target.click();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    // In the triage reason box, Enter carries out the decision that asked for the reason.
    if (event.key === "Enter" && active && active.id === "decide-reason" && active.dataset.pending) {
      var button = active.form.querySelector("button[value='" + active.dataset.pending + "']");
      if (button) { event.preventDefault(); button.click(); }
      return;
    }
    // In an ICE box on the triage page: one digit fills it (0 means 10) and moves to the next box.
    if (active && active.hasAttribute("data-score-field") && document.querySelector("[data-triage]") && /^[0-9]$/.test(event.key)) {
      event.preventDefault();
      active.value = event.key === "0" ? "10" : event.key;
      var boxes = Array.prototype.slice.call(active.form.querySelectorAll("[data-score-field]"));
      var next = boxes[boxes.indexOf(active) + 1];
      if (next) { next.focus(); next.select(); } else { active.form.querySelector("button").focus(); }
      return;
    }
    if (typing(active) || document.querySelector("dialog[open]")) return;
    if (event.key === "i" || (event.key === "n" && !document.getElementById("new-card"))) {
      if (openCapture()) event.preventDefault();
    } else if (triageKey(event.key)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-capture-open]")) openCapture();
    var confirmer = target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.dataset.confirm)) event.preventDefault();
    if (target.id === "select-all") {
      document.querySelectorAll("#bulk input[name=ids]").forEach(function (box) { box.checked = target.checked; });
    }
  });
  // The capture box stays open after a save, ready for the next idea.
  document.addEventListener("htmx:afterSettle", function () {
    var dialog = document.getElementById("idea-capture");
    if (dialog && dialog.open) focusTitle();
  });
  document.addEventListener("submit", function (event) {
    if (event.target.id === "import-form") {
      var progress = document.getElementById("import-progress");
      if (progress) progress.classList.add("busy");
    }
  });
})();
