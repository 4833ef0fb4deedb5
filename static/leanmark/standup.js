// Stand-up mode: the 15-minute timer and "next item" keyboard navigation (no inline scripts: CSP).
(function () {
  var timer = document.getElementById("timer");
  if (!timer) return;
  var total = parseInt(timer.dataset.seconds, 10) || 900;
  // The timer survives a reload of the page: its state is kept for this tab and this page.
  var key = "standup-timer:" + location.pathname + (new URLSearchParams(location.search).get("board") || "");
  var state = JSON.parse(sessionStorage.getItem(key) || '{"elapsed": 0, "since": null}');

  function save() { sessionStorage.setItem(key, JSON.stringify(state)); }
  function elapsed() {
    return state.elapsed + (state.since ? (Date.now() - state.since) / 1000 : 0);
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function draw() {
    var left = total - elapsed();
    var shown = Math.ceil(Math.abs(left));
    if (left < 0) shown = Math.floor(Math.abs(left));
    var text = pad(Math.floor(shown / 60)) + ":" + pad(shown % 60);
    timer.textContent = left < 0 ? "+" + text : text;
    timer.classList.toggle("running", !!state.since);
    timer.classList.toggle("low", left >= 0 && left < 60);
    timer.classList.toggle("over", left < 0);
    timer.title = left < 0 ? "over the 15-minute time box" : "15-minute time box";
  }
  document.getElementById("timer-start").addEventListener("click", function () {
    if (!state.since) { state.since = Date.now(); save(); draw(); }
  });
  document.getElementById("timer-pause").addEventListener("click", function () {
    if (state.since) { state.elapsed = elapsed(); state.since = null; save(); draw(); }
  });
  document.getElementById("timer-reset").addEventListener("click", function () {
    state = { elapsed: 0, since: null }; save(); draw();
  });
  setInterval(draw, 250);
  draw();

  // ---- walking the agenda ----
  function items() { return Array.prototype.slice.call(document.querySelectorAll("#agenda .mode-item")); }
  function current() {
    var list = items();
    for (var i = 0; i < list.length; i++) if (list[i].classList.contains("current")) return i;
    return -1;
  }
  function go(index) {
    var list = items();
    if (!list.length) return;
    index = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (el) { el.classList.remove("current"); el.removeAttribute("aria-current"); });
    var item = list[index];
    item.classList.add("current");
    item.setAttribute("aria-current", "step");
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "center", behavior: "auto" });
  }
  function typing(el) {
    return window.Leanmark.typing(el);  // static/leanmark/app.js
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(document.activeElement)) {
      var item = document.activeElement.closest(".mode-item");
      if (item) item.focus();
      return;
    }
    if (typing(document.activeElement)) return;
    if (event.key === "j" || event.key === "ArrowDown" || event.key === "ArrowRight") {
      event.preventDefault(); go(current() + 1);
    } else if (event.key === "k" || event.key === "ArrowUp" || event.key === "ArrowLeft") {
      event.preventDefault(); go(current() - 1);
    } else if (event.key === "s" && !state.since) {
      document.getElementById("timer-start").click();
    }
  });
  document.getElementById("next-item").addEventListener("click", function () { go(current() + 1); });
  document.getElementById("prev-item").addEventListener("click", function () { go(current() - 1); });
  document.addEventListener("focusin", function (event) {
    var item = event.target.closest && event.target.closest(".mode-item");
    if (!item || item.classList.contains("current")) return;
    items().forEach(function (el) { el.classList.remove("current"); el.removeAttribute("aria-current"); });
    item.classList.add("current");
    item.setAttribute("aria-current", "step");
  });
  // After a quick action the agenda is redrawn: stay on the card that was acted on.
  function restore(root) {
    var agenda = root.id === "agenda" ? root : root.querySelector && root.querySelector("#agenda");
    if (!agenda) return;
    var focus = agenda.dataset.focus;
    var list = items();
    var index = 0;
    if (focus) list.forEach(function (el, i) { if (el.dataset.number === focus) index = i; });
    go(index);
  }
  htmx.onLoad(restore);
})();
