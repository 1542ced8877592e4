(function () {
  "use strict";
  var table = document.getElementById("beads");
  if (!table) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var flagged = document.getElementById("f-flagged");
  var below = document.getElementById("f-below");
  var belowValue = document.getElementById("f-below-value");
  var flag = document.getElementById("f-flag");
  var count = document.getElementById("f-count");
  var empty = document.getElementById("f-empty");

  function apply() {
    var limit = parseFloat(below.value);
    var wanted = flag.value;
    var shown = 0;
    rows.forEach(function (row) {
      var flags = row.dataset.flags ? row.dataset.flags.split(" ") : [];
      var score = parseFloat(row.dataset.score);
      var visible = (!flagged.checked || flags.length > 0) &&
        (limit >= 1 || score < limit) &&
        (!wanted || flags.indexOf(wanted) >= 0);
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    belowValue.textContent = limit >= 1 ? "any" : limit.toFixed(2);
    count.textContent = shown + " of " + rows.length + " rows shown";
    empty.hidden = shown > 0;
  }

  [flagged, below, flag].forEach(function (el) {
    el.addEventListener("input", apply);
    el.addEventListener("change", apply);
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter-flag]"), function (el) {
    el.addEventListener("click", function () {
      flag.value = el.dataset.filterFlag;
      apply();
      table.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });
  // A link to the collapsed "Left out by the reader" section opens it.
  Array.prototype.forEach.call(document.querySelectorAll('a[href="#left-out"]'), function (el) {
    el.addEventListener("click", function () {
      var details = document.querySelector("#left-out details");
      if (details) details.open = true;
    });
  });
  apply();
})();
