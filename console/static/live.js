// The live log refreshes its rows without a reload: it asks for the same filters every few seconds.
(function () {
  "use strict";
  var table = document.getElementById("live-rows");
  var status = document.getElementById("live-status");
  if (!table || !window.fetch) { return; }
  var url = table.getAttribute("data-rows-url");
  var seconds = parseInt(table.getAttribute("data-interval") || "5", 10);
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (answer) {
        if (answer.redirected || answer.status === 401 || answer.status === 302) { window.location.reload(); return null; }
        return answer.ok ? answer.text() : null;
      })
      .then(function (html) {
        if (html === null || html === undefined) { return; }
        var template = document.createElement("template");
        template.innerHTML = html;
        var rows = template.content.querySelector("tbody");
        var stamp = template.content.querySelector("[data-updated]");
        if (rows) { table.replaceChildren.apply(table, Array.prototype.slice.call(rows.childNodes)); }
        if (stamp && status) { status.textContent = stamp.getAttribute("data-updated"); }
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }
  window.setInterval(refresh, seconds * 1000);
}());
