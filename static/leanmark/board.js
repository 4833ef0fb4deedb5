// Drag and drop on the board: SortableJS moves the card in the page, then HTMX asks the server,
// which answers with the whole board fragment (counts, limits, and the card back in place if refused).
(function () {
  function moveUrl(cell, card) {
    return cell.dataset.moveBase + "cards/" + card.dataset.number + "/move";
  }
  function onEnd(event) {
    var card = event.item, cell = event.to;
    if (event.from === event.to && event.oldIndex === event.newIndex) return;
    var next = card.nextElementSibling;
    var values = {};
    values.column = cell.dataset.column;
    values.lane = cell.dataset.lane;
    values.before = next && next.dataset.card ? next.dataset.card : "";
    values.version = card.dataset.version;
    htmx.ajax("POST", moveUrl(cell, card), { target: "#board", swap: "outerHTML", values: values });
  }
  function init(root) {
    var board = root.querySelector ? (root.id === "board" ? root : root.querySelector("#board")) : null;
    if (!board || board.dataset.readonly === "1" || typeof Sortable === "undefined") return;
    board.querySelectorAll(".cell").forEach(function (cell) {
      Sortable.create(cell, {
        group: "board", animation: 120, draggable: ".card", filter: ".is-blocked, a, .card-menu",
        preventOnFilter: false, onEnd: onEnd,
      });
    });
  }
  // htmx:load fires for <body> on start-up and for every swapped-in #board afterwards.
  htmx.onLoad(init);
})();

// The board's scroll box: fitted to the window, kept where it was when the board is redrawn (a
// move, a live update), and on a phone the column picker follows the swipes and moves the board.
(function () {
  var kept = null;
  function grid() { return document.querySelector("#board .board"); }
  function fit() {
    var box = grid();
    if (!box) return;
    var top = box.getBoundingClientRect().top + window.scrollY;
    var below = document.documentElement.scrollHeight - (top + box.offsetHeight);
    var room = window.innerHeight - top - Math.max(below, 0) - 4;
    box.style.setProperty("--board-max", Math.max(room, window.innerHeight * 0.6) + "px");
  }
  function heads(box) { return Array.prototype.slice.call(box.querySelectorAll(".col-head")); }
  function shownColumn(box) {  // the column whose header is nearest the box's left edge
    var left = box.getBoundingClientRect().left + (box.querySelector(".lane-label") || box).offsetWidth;
    var best = null, gap = Infinity;
    heads(box).forEach(function (head) {
      var d = Math.abs(head.getBoundingClientRect().left - left);
      if (d < gap) { gap = d; best = head; }
    });
    return best;
  }
  function showColumn(box, id, smooth) {
    var head = box.querySelector(".col-head[data-column='" + id + "']");
    var label = box.querySelector(".lane-label");
    if (!head) return;
    var left = head.offsetLeft - (label ? label.offsetWidth + 6 : 0);
    box.scrollTo({ left: Math.max(left, 0), behavior: smooth ? "smooth" : "auto" });
  }
  function syncPicker() {
    var box = grid(), pick = document.getElementById("column-pick");
    var head = box && shownColumn(box);
    if (pick && head && !pick.matches(":focus")) pick.value = head.dataset.column;
  }
  function init(root) {
    if (!(root.id === "board" || root.querySelector("#board"))) return;
    var box = grid();
    if (!box) return;
    fit();
    if (kept) { box.scrollLeft = kept.left; box.scrollTop = kept.top; kept = null; }
    syncPicker();
    var timer = null;
    box.addEventListener("scroll", function () {
      clearTimeout(timer);
      timer = setTimeout(syncPicker, 80);
    }, { passive: true });
    var pick = document.getElementById("column-pick");
    if (pick) pick.addEventListener("change", function () { showColumn(box, pick.value, true); });
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var box = grid();
    if (box && event.detail.target && event.detail.target.id === "board") {
      kept = { left: box.scrollLeft, top: box.scrollTop };
    }
  });
  window.addEventListener("resize", function () { fit(); syncPicker(); });
  htmx.onLoad(init);
})();

// The card menu ("⋯"): Block… asks for the reason in the #block-card dialog, Unblock posts at
// once; both redraw the board. Without JavaScript, Block… opens the card page and Unblock posts
// the #card-actions form, which comes back to the board.
(function () {
  function redraw(url, values) {
    htmx.ajax("POST", url, { target: "#board", swap: "outerHTML", values: values });
  }
  document.addEventListener("click", function (event) {
    var open = event.target.closest(".card-menu");
    document.querySelectorAll(".card-menu[open]").forEach(function (menu) {
      if (menu !== open) menu.removeAttribute("open");
    });
    var block = event.target.closest(".card-menu .block-open");
    var dialog = document.getElementById("block-card");
    if (block && dialog) {
      event.preventDefault();
      block.closest(".card-menu").removeAttribute("open");
      var form = dialog.querySelector("form");
      var card = block.closest(".card");
      var title = card ? card.querySelector(".title").textContent : "";
      form.reset();
      form.action = block.dataset.action;
      dialog.querySelector("h2").textContent = "Block #" + block.dataset.number + " " + title;
      dialog.showModal();
      form.querySelector("input[name=reason]").focus();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.closest("#block-card")) {
      event.preventDefault();
      redraw(form.action, { reason: form.querySelector("input[name=reason]").value, next: "board" });
      form.closest("dialog").close();
    } else if (form.id === "card-actions" && event.submitter) {
      event.preventDefault();
      redraw(event.submitter.formAction, { next: "board" });
    }
  });
})();
