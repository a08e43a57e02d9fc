// While an import runs, refresh its line on the portal every few seconds; reload once it finishes so the
// counts and the timeline appear. No framework, no external assets.
(function () {
  var script = document.currentScript;
  var url = script && script.dataset.statusUrl;
  var line = document.getElementById("import-line");
  if (!url || !line) return;
  function render(run) {
    var badge = line.querySelector(".badge");
    badge.className = "badge " + run.status;
    badge.textContent = run.status_label;
    var text = run.status === "running"
      ? " Now importing " + run.phase_label.toLowerCase() + ": " + run.done.toLocaleString() + " records read from Clever so far."
      : " Waiting for a free worker; it starts in a moment.";
    line.lastChild.nodeType === 3 ? (line.lastChild.textContent = text) : line.appendChild(document.createTextNode(text));
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body || !body.import) return;
        if (body.import.finished) { window.location.reload(); return; }
        render(body.import);
        window.setTimeout(poll, 3000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
})();
