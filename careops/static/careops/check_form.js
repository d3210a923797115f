// The check form: show the help of the chosen kind only (all are shown without script).
(function () {
  "use strict";
  function update(select) {
    document.querySelectorAll(".check-kind-help").forEach(function (block) {
      block.hidden = block.dataset.kind !== select.value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("[data-check-kind]");
    if (!select) return;
    update(select);
    select.addEventListener("change", function () { update(select); });
  });
})();
