// Hourglass dashboard: sortable tables and auto-refresh. No build step, no dependencies.
(function () {
  "use strict";
  document.querySelectorAll("th[data-sort]").forEach(function (th) {
    th.addEventListener("click", function () {
      var table = th.closest("table"), body = table.tBodies[0];
      var col = Array.prototype.indexOf.call(th.parentNode.children, th);
      var numeric = th.dataset.sort === "n";
      var dir = th.dataset.dir === "asc" ? -1 : 1;
      th.parentNode.querySelectorAll("th").forEach(function (h) { delete h.dataset.dir; });
      th.dataset.dir = dir === 1 ? "asc" : "desc";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.v || a.cells[col].textContent, y = b.cells[col].dataset.v || b.cells[col].textContent;
        return numeric ? dir * (parseFloat(x) - parseFloat(y)) : dir * x.localeCompare(y);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  var seconds = parseInt(document.body.dataset.refresh || "0", 10);
  var box = document.getElementById("autorefresh");
  if (box) {
    box.checked = localStorage.getItem("hourglass.autorefresh") !== "off";
    box.addEventListener("change", function () { localStorage.setItem("hourglass.autorefresh", box.checked ? "on" : "off"); });
  }
  if (seconds > 0) {
    setInterval(function () {
      var busy = document.activeElement && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(document.activeElement.tagName);
      if (box && box.checked && !busy && !document.hidden) { location.reload(); }
    }, seconds * 1000);
  }
})();
