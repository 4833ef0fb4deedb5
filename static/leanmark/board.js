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
        group: "board", animation: 120, draggable: ".card", filter: ".is-blocked, a",
        preventOnFilter: false, onEnd: onEnd,
      });
    });
  }
  // htmx:load fires for <body> on start-up and for every swapped-in #board afterwards.
  htmx.onLoad(init);
})();
