// Progressive enhancement for the health check list: refresh the status
// cells every 10 seconds. The page is complete without it.
(function () {
  "use strict";
  var rows = document.querySelectorAll("tr[data-id]");
  if (!rows.length || !window.fetch) { return; }
  var labels = { Healthy: "st-ok", Unhealthy: "st-bad" };
  function refresh() {
    var q = [];
    rows.forEach(function (r) { q.push("id=" + encodeURIComponent(r.dataset.id)); });
    fetch("/console/healthchecks/status?" + q.join("&"), { credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        rows.forEach(function (r) {
          var s = data[r.dataset.id];
          if (!s) { return; }
          var cell = r.querySelector(".st-cell");
          var badge = document.createElement("span");
          badge.className = "status " + (labels[s.status] || "st-unknown");
          var dot = document.createElement("span");
          dot.className = "dot";
          dot.setAttribute("aria-hidden", "true");
          badge.appendChild(dot);
          badge.appendChild(document.createTextNode(s.status));
          cell.textContent = "";
          cell.appendChild(badge);
          if (s.reason) {
            var reason = document.createElement("span");
            reason.className = "reason small";
            reason.textContent = s.reason;
            cell.appendChild(reason);
          }
          var t = r.querySelector("time.since");
          if (t) { t.textContent = s.ago; t.setAttribute("datetime", s.since); }
        });
      })
      .catch(function () {});
  }
  setInterval(refresh, 10000);
})();
