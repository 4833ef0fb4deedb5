// The allocation page: the what-if slider and the budget field move together; changing the unit
// reloads the whole page (its channels and curves differ per unit). No inline scripts (CSP).
(function () {
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.id === "budget-slider") {
      var input = document.getElementById("budget-input");
      if (input) input.value = target.value;
    } else if (target.id === "budget-input") {
      var slider = document.getElementById("budget-slider");
      var value = parseFloat(target.value.replace(/,/g, ""));
      if (slider && !isNaN(value)) {
        if (value > parseFloat(slider.max)) slider.max = String(Math.ceil(value * 1.5));
        slider.value = String(value);
      }
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var unit = document.getElementById("unit-select");
    if (!unit) return;
    unit.addEventListener("change", function (event) {
      event.stopPropagation();
      var form = unit.form;
      form.querySelectorAll("input").forEach(function (input) { input.disabled = true; });
      form.submit();
    });
  });
})();
