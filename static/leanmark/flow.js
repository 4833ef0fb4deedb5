// The card-history upload's progress bar: htmx reports the bytes sent; the server then checks and
// imports the file in one request (the bar stays full while it works).
(function () {
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = document.getElementById("import-progress");
    if (!bar || !event.detail.lengthComputable) return;
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  });
  document.addEventListener("htmx:afterRequest", function () {
    var bar = document.getElementById("import-progress");
    if (bar) { bar.hidden = true; bar.value = 0; }
  });
})();

// The forecast form: typing a date or a number of items chooses that question.
(function () {
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (!field.closest || !field.closest("#forecast-form")) return;
    var mode = field.name === "until" ? "how_many" : field.name === "items" ? "when" : null;
    if (!mode) return;
    var radio = document.querySelector("#forecast-form input[name=mode][value=" + mode + "]");
    if (radio) radio.checked = true;
  });
})();
