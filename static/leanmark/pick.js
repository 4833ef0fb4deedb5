// A searchable people picker over a plain <select multiple data-pick>: a filter field, a list of
// check boxes, and a chip for each person chosen. The select stays in the form (hidden) and holds
// the choice, so the form posts what it always posted; without JavaScript the select is used as is.
(function () {
  function fold(text) {  // "Zoë" finds "zoe"
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function el(tag, props) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) { node[key] = props[key]; });
    return node;
  }
  function enhance(select) {
    if (select.dataset.pickReady) return;
    select.dataset.pickReady = "1";
    var label = select.closest("label");
    var name = label ? label.firstChild.textContent.trim() : "People";
    var field = el("div", { className: "pick" });
    var title = el("span", { className: "pick-label", textContent: name });
    var chips = el("div", { className: "pick-chips", });
    chips.setAttribute("aria-live", "polite");
    var filter = el("input", { type: "search", className: "pick-filter", placeholder: "Type to find a person…", autocomplete: "off" });
    filter.setAttribute("aria-label", name + ": find a person");
    var list = el("ul", { className: "pick-list" });
    list.setAttribute("aria-label", name);
    var none = el("li", { className: "pick-none", textContent: "Nobody matches.", hidden: true });
    Array.prototype.forEach.call(select.options, function (option) {
      var box = el("input", { type: "checkbox", value: option.value });
      box.addEventListener("change", function () { option.selected = box.checked; draw(); });
      var row = el("label");
      row.append(box, " " + option.text);
      var item = el("li");
      item.dataset.text = fold(option.text);
      item.appendChild(row);
      list.appendChild(item);
    });
    list.appendChild(none);
    function draw() {
      chips.textContent = "";
      Array.prototype.forEach.call(select.options, function (option, i) {
        list.children[i].querySelector("input").checked = option.selected;
        if (!option.selected) return;
        var chip = el("span", { className: "pick-chip", textContent: option.text });
        var remove = el("button", { type: "button", textContent: "×", title: "Remove " + option.text });
        remove.setAttribute("aria-label", "Remove " + option.text);
        remove.addEventListener("click", function () { option.selected = false; draw(); filter.focus(); });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      if (!chips.children.length) chips.appendChild(el("span", { className: "muted", textContent: "Nobody yet" }));
    }
    function narrow() {
      var words = fold(filter.value.trim());
      var shown = 0;
      Array.prototype.forEach.call(list.children, function (item) {
        if (item === none) return;
        item.hidden = words !== "" && item.dataset.text.indexOf(words) === -1;
        if (!item.hidden) shown += 1;
      });
      none.hidden = shown > 0;
    }
    filter.addEventListener("input", narrow);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {  // Enter picks the first match instead of sending the form
        event.preventDefault();
        var first = list.querySelector("li:not([hidden]) input");
        if (first && filter.value.trim()) { first.checked = !first.checked; first.dispatchEvent(new Event("change")); }
        filter.value = "";
        narrow();
      } else if (event.key === "Escape" && filter.value) {
        event.preventDefault();
        event.stopPropagation();  // clear the field, not close the dialog
        filter.value = "";
        narrow();
      }
    });
    var form = select.form;
    if (form) form.addEventListener("reset", function () { setTimeout(function () { filter.value = ""; narrow(); draw(); }); });
    (label || select).replaceWith(field);
    select.hidden = true;
    field.append(title, chips, filter, list, select);
    draw();
  }
  function init(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("select[multiple][data-pick]").forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
