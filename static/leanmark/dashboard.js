// The metrics dashboard: period keys (d/w/m/y) and the entry grid (keyboard moves, paste a block
// from a spreadsheet, save a cell when it is left). No inline script (CSP).
(function () {
  function typing(el) {
    return window.Leanmark.typing(el);  // static/leanmark/app.js
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
    var link = document.querySelector('.period-switch a[data-period-key="' + event.key + '"]');
    if (!link) return;
    event.preventDefault();
    // Ask HTMX directly: a scripted click on a link can also follow it natively (a reload).
    if (window.htmx && link.getAttribute("hx-get")) {
      window.htmx.ajax("GET", link.getAttribute("hx-get"), { source: link, target: "#dash", swap: "outerHTML" });
    } else {
      link.click();
    }
  });

  // A large import takes a few seconds: say so, and stop a second click from sending it twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("import-form")) return;
    var button = event.submitter;
    var note = form.querySelector(".import-progress");
    note.hidden = false;
    note.textContent = (button && button.value === "import" ? "Importing" : "Checking") +
      " the file… a year of daily data for many metrics takes a few seconds.";
    setTimeout(function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    }, 0);  // after the browser has read which button was pressed
  });

  var grid = document.getElementById("grid");
  if (!grid || grid.dataset.readonly === "1") return;

  function cellAt(row, col) {
    return grid.querySelector('input.cell[data-row="' + row + '"][data-col="' + col + '"]');
  }
  function move(cell, dRow, dCol) {
    var next = cellAt(+cell.dataset.row + dRow, +cell.dataset.col + dCol);
    if (next) { next.focus(); next.select(); }
  }
  function status(text, level) {
    var box = document.getElementById("grid-status");
    box.className = "grid-status " + level;
    box.textContent = text;
  }
  // Save the given cells in one request; the server answers with the status line (all or nothing).
  function save(cells) {
    cells = cells.filter(function (c) {
      var value = c.value.trim();
      return c.name && value !== (c.dataset.saved || "") && value !== c.dataset.pending;
    });
    if (!cells.length) return;
    cells.forEach(function (c) { c.dataset.pending = c.value.trim(); });
    var body = new URLSearchParams();
    body.append("csrfmiddlewaretoken", grid.querySelector("[name=csrfmiddlewaretoken]").value);
    cells.forEach(function (c) { body.append(c.name, c.value.trim()); c.classList.add("saving"); c.classList.remove("bad", "saved"); });
    fetch(grid.dataset.save, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": body.get("csrfmiddlewaretoken") }
    }).then(function (response) {
      return response.text().then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var box = holder.querySelector("#grid-status");
        var ok = response.ok;
        status(box ? box.textContent : (ok ? "Saved." : "Nothing saved: the server answered " + response.status + "."), ok ? "ok" : "error");
        cells.forEach(function (c) {
          delete c.dataset.pending;
          c.classList.remove("saving");
          c.classList.add(ok ? "saved" : "bad");
          if (ok) c.dataset.saved = c.value.trim();
        });
      });
    }).catch(function () {
      cells.forEach(function (c) { delete c.dataset.pending; c.classList.remove("saving"); c.classList.add("bad"); });
      status("Nothing saved: the server could not be reached. Your values are still in the cells.", "error");
    });
  }

  grid.addEventListener("keydown", function (event) {
    var cell = event.target;
    if (!cell.classList.contains("cell")) return;
    var keys = { ArrowUp: [-1, 0], ArrowDown: [1, 0], Enter: [event.shiftKey ? -1 : 1, 0] };
    if (cell.selectionStart === 0 || cell.readOnly) keys.ArrowLeft = [0, -1];
    if (cell.selectionEnd === cell.value.length || cell.readOnly) keys.ArrowRight = [0, 1];
    if (event.key === "Escape") { cell.value = cell.dataset.saved || ""; return; }
    var step = keys[event.key];
    if (event.key === "Enter") save([cell]);  // Enter commits, also on the last row
    if (step) { event.preventDefault(); move(cell, step[0], step[1]); }
  });
  grid.addEventListener("change", function (event) {
    if (event.target.classList.contains("cell")) save([event.target]);
  });
  grid.addEventListener("submit", function (event) {
    event.preventDefault();
    save(Array.prototype.slice.call(grid.querySelectorAll("input.cell[name]")));
  });
  grid.addEventListener("paste", function (event) {
    var cell = event.target;
    if (!cell.classList.contains("cell") || cell.readOnly) return;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]/.test(text.trim())) return; // one value: let the browser paste it
    event.preventDefault();
    var lines = text.replace(/\r/g, "").replace(/\n$/, "").split("\n");
    var changed = [], skipped = 0;
    lines.forEach(function (line, i) {
      line.split("\t").forEach(function (value, j) {
        var target = cellAt(+cell.dataset.row + i, +cell.dataset.col + j);
        if (!target || target.readOnly) { skipped += 1; return; }
        target.value = value.trim().replace(/\u00a0/g, "");
        changed.push(target);
      });
    });
    save(changed);
    if (skipped) status(skipped + " pasted value(s) fell outside the grid or on read-only cells and were left out.", "error");
  });
})();
