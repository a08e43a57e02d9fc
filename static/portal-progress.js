// While an import runs, refresh its line and progress bar every few seconds; reload once it finishes so
// the counts and the timeline appear. No framework, no external assets.
(function () {
  var script = document.currentScript;
  var url = script && script.dataset.statusUrl;
  var line = document.getElementById("import-line");
  var text = document.getElementById("import-text");
  var bar = document.getElementById("import-progress");
  var percent = document.getElementById("import-percent");
  var status = document.getElementById("district-status");
  if (!url || !line || !text) return;
  function describe(run) {
    if (run.status !== "running") return "The import starts in a moment.";
    var words = "Now importing " + run.phase_label.toLowerCase() + ": " + run.done.toLocaleString() +
      " records (schools, people, classes) read from Clever";
    if (run.estimated_total) words += " of about " + run.estimated_total.toLocaleString();
    if (run.seconds_left) {
      words += run.seconds_left < 60 ? ", less than a minute left" : ", about " + Math.round(run.seconds_left / 60) + " min left";
    }
    return words + ".";
  }
  function render(run, district) {
    if (status && district.status_label) {
      status.className = "badge " + district.status;
      status.textContent = district.status_label;
    }
    var badge = line.querySelector(".badge");
    badge.className = "badge " + run.status;
    badge.textContent = run.status_label;
    text.textContent = " " + describe(run);
    if (bar && run.percent !== null) { bar.value = run.percent; bar.textContent = run.percent + "%"; }
    if (percent && run.percent !== null) percent.textContent = run.percent + "%";
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body || !body.import) return;
        if (body.import.finished) { window.location.reload(); return; }
        render(body.import, { status: body.district_status, status_label: body.district_status_label });
        window.setTimeout(poll, 3000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
})();
