// fipscan HTML report: sorting and filters. The page is complete without
// this script; it only adds controls. It builds them with DOM calls and
// textContent only (never innerHTML), so image data is never parsed as markup.
(function () {
  "use strict";
  var STATUSES = ["validated", "host-dependent", "fips-capable", "non-fips", "unknown"];

  function key(cell, numeric) {
    var k = cell ? cell.getAttribute("data-key") : "";
    if (k === null) {
      k = cell.textContent.trim();
    }
    return numeric ? (parseFloat(k) || 0) : k.toLowerCase();
  }

  // Sorting: every header of a .sortable table (except .nosort) becomes a button.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, col) {
      if (th.classList.contains("nosort")) {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) {
        button.appendChild(th.firstChild);
      }
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var numeric = th.getAttribute("data-type") === "number";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) {
          if (h.hasAttribute("aria-sort")) {
            h.setAttribute("aria-sort", "none");
          }
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col], numeric);
          var y = key(b.cells[col], numeric);
          var c = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? c : -c;
        });
        rows.forEach(function (r) {
          body.appendChild(r);
        });
      });
    });
  });

  function checkbox(parent, label, checked) {
    var l = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = checked;
    l.appendChild(box);
    l.appendChild(document.createTextNode(" " + label));
    parent.appendChild(l);
    return box;
  }

  // Filters above each component table: statuses, programs only, waived, path text.
  document.querySelectorAll("div.filters[data-table]").forEach(function (bar) {
    var table = document.getElementById(bar.getAttribute("data-table"));
    if (!table) {
      return;
    }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var boxes = {};
    STATUSES.forEach(function (s) {
      var n = rows.filter(function (r) {
        return r.getAttribute("data-status") === s;
      }).length;
      if (n > 0) {
        boxes[s] = checkbox(bar, s + " (" + n + ")", true);
        boxes[s].parentNode.className = "s-" + s;
      }
    });
    var programs = checkbox(bar, "programs only", false);
    var waived = checkbox(bar, "show waived", true);
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = "filter by path";
    search.setAttribute("aria-label", "filter components by path");
    bar.appendChild(search);
    var shown = document.createElement("output");
    bar.appendChild(shown);

    function apply() {
      var text = search.value.trim().toLowerCase();
      var count = 0;
      rows.forEach(function (r) {
        var box = boxes[r.getAttribute("data-status")];
        var visible = (!box || box.checked) &&
          (!programs.checked || r.getAttribute("data-program") === "true") &&
          (waived.checked || r.getAttribute("data-waived") !== "true") &&
          (text === "" || r.cells[1].textContent.toLowerCase().indexOf(text) >= 0);
        r.classList.toggle("filtered-out", !visible);
        if (visible) {
          count += 1;
        }
      });
      shown.textContent = count + " of " + rows.length + " shown";
    }
    bar.addEventListener("change", apply);
    search.addEventListener("input", apply);
    apply();
  });

  // Tells a reader (and the browser test) that the script ran to the end.
  document.documentElement.setAttribute("data-js", "ready");
})();
