// Keyboard shortcuts and small behaviours shared by every page (no inline scripts: CSP-ready).
(function () {
  // Is the person typing in a field (so a key is text, not a shortcut)? A field inside a dialog
  // that has just been closed keeps the focus for a moment: that is not typing.
  function typing(el) {
    if (!el || !(el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return false;
    var dialog = el.closest("dialog");
    return !dialog || dialog.open;
  }
  window.Leanmark = window.Leanmark || {};
  window.Leanmark.typing = typing;  // the one rule every page's shortcuts use
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
  // A dialog closed with Escape can leave focus on its now hidden field, which would swallow the
  // next shortcut (`i`, `n`, `/`): give focus back to the page.
  document.addEventListener("close", function (event) {
    var active = document.activeElement;
    if (event.target.tagName === "DIALOG" && active && event.target.contains(active)) active.blur();
  }, true);
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.id === "new-card-open") document.getElementById("new-card").showModal();
    if (target.matches("dialog .close")) target.closest("dialog").close();
    if (target.matches(".alert .dismiss")) target.closest(".alert").remove();
  });
  // The board behind the dialog shows the result. Only a created card empties the form: after a
  // refusal (409/422, drawn as an alert on the board) `n` brings back what was typed.
  document.addEventListener("htmx:afterRequest", function (event) {
    var dialog = document.getElementById("new-card");
    if (dialog && dialog.open && event.detail.successful && dialog.contains(event.detail.elt)) {
      dialog.close();
      if (event.detail.xhr.status < 300) dialog.querySelector("form").reset();
    }
  });
  // A session that ended answers every request with the login page: go there, and come back here.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var url = event.detail.xhr.responseURL ? new URL(event.detail.xhr.responseURL) : null;
    if (!url || url.pathname !== "/login/") return;
    event.detail.shouldSwap = false;
    url.searchParams.set("next", location.pathname + location.search);
    location.assign(url.toString());
  });
  // A request that failed (5xx, 403, no network) swaps nothing, and a dragged card would stay where
  // it was dropped: say that nothing was saved, and redraw the board as the server has it.
  function failed(event) {
    if (event.detail.elt && event.detail.elt.id === "live-poll") return stale(true);
    var board = document.getElementById("board");
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var alert = document.getElementById("request-error") || document.createElement("div");
    alert.id = "request-error";
    alert.className = "alert error";
    alert.setAttribute("role", "alert");
    alert.textContent = status
      ? "Nothing was saved: the server answered " + status + ". Try again, or reload the page. "
      : "Nothing was saved: the server could not be reached. Try again when you are back online. ";
    // A 403 answers a one-line fragment saying why (lib/errorpages.py): show its text.
    if (status === 403 && event.detail.xhr.responseText.length < 2000) {
      var why = document.createElement("template");
      why.innerHTML = event.detail.xhr.responseText;
      var text = why.content.textContent.trim();
      if (text) alert.textContent = "Nothing was saved: " + text + " ";
    }
    var ok = document.createElement("button");
    ok.type = "button";
    ok.className = "dismiss";
    ok.textContent = "OK";
    alert.appendChild(ok);
    (board || document.querySelector("main")).insertAdjacentElement(board ? "beforebegin" : "afterbegin", alert);
    if (board && event.detail.requestConfig && event.detail.requestConfig.verb !== "get") {
      htmx.ajax("GET", location.pathname + location.search, { target: "#board", swap: "outerHTML" });
    }
  }
  // Writes that redraw the board (move, new card, reason prompt) carry the board's current filters
  // and done-column paging in the URL, so the answer is drawn the way the person was looking at it.
  document.addEventListener("htmx:configRequest", function (event) {
    var filters = document.getElementById("filters");
    if (!filters || event.detail.verb === "get" || event.detail.path.indexOf("?") !== -1) return;
    var query = new URLSearchParams();
    new FormData(filters).forEach(function (value, key) { if (value) query.append(key, value); });
    if (query.toString()) event.detail.path += "?" + query.toString();
  });
  // Live updates: #live-poll asks every 3 s whether the board changed. Not while the tab is hidden,
  // and a redraw waits while the person is busy on the board (dragging, typing a filter, giving a
  // reason for a limit override): the poll keeps its old counter, so the next one redraws.
  function busy() {
    var board = document.getElementById("board");
    if (!board) return false;
    if (document.querySelector(".sortable-chosen, .sortable-drag, .sortable-ghost")) return true;
    if (board.querySelector("form.override")) return true;
    return board.contains(document.activeElement) && typing(document.activeElement);
  }
  function stale(on) {
    var note = document.getElementById("live-stale");
    if (!on) { if (note) note.remove(); return; }
    if (note) return;
    note = document.createElement("div");
    note.id = "live-stale";
    note.className = "alert warn";
    note.setAttribute("role", "status");
    note.textContent = "Live updates paused: the server cannot be reached. This board may be out of date; it catches up by itself.";
    var board = document.getElementById("board");
    if (board) board.insertAdjacentElement("beforebegin", note);
  }
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt.id === "live-poll" && event.detail.successful) stale(false);
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.id === "live-poll" && (document.hidden || busy())) event.preventDefault();
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.elt.id === "live-poll" && busy()) event.detail.shouldSwap = false;
  });
  // Leaving a card page ends its "editing" marker on other people's boards at once.
  window.addEventListener("pagehide", function () {
    var beat = document.getElementById("editing-beat");
    if (!beat || !navigator.sendBeacon) return;
    var form = new FormData();
    form.append("left", "1");
    form.append("csrfmiddlewaretoken", JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]);
    navigator.sendBeacon(beat.getAttribute("hx-post"), form);
  });
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
