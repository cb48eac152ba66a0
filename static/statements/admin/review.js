// The review queue by keyboard: j/k (or ↓/↑) move between rows, a accepts and r rejects the
// current row's tag. Keys typed into a field (the search box) are left alone.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#result_list tbody tr"));
    if (!rows.length) return;
    var current = 0;
    var memory = "review-row:" + location.pathname + location.search;
    var hint = document.createElement("p");
    hint.className = "review-keys";
    hint.textContent = "Keys: j / k to move, a to accept, r to reject.";
    var list = document.getElementById("changelist-form");
    if (list) list.parentNode.insertBefore(hint, list);
    function show(index) {
      rows[current].classList.remove("review-current");
      current = Math.max(0, Math.min(rows.length - 1, index));
      rows[current].classList.add("review-current");
      rows[current].scrollIntoView({ block: "nearest" });
      try { sessionStorage.setItem(memory, String(current)); } catch (e) { /* storage off: start at the top */ }
    }
    var kept = 0;
    try { kept = parseInt(sessionStorage.getItem(memory) || "0", 10) || 0; } catch (e) { kept = 0; }
    show(kept);
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
      var key = event.key;
      if (key === "j" || key === "ArrowDown") { show(current + 1); event.preventDefault(); }
      else if (key === "k" || key === "ArrowUp") { show(current - 1); event.preventDefault(); }
      else if (key === "a" || key === "r") {
        var button = rows[current].querySelector(key === "a" ? ".review-accept" : ".review-reject");
        if (button) { button.click(); event.preventDefault(); }
      }
    });
  });
})();
