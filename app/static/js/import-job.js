// Import job page: while the job runs, fetch its progress every 1.5 s and update the counts; when it
// ends, reload the page to show the outcome (links to the quarantine, or the reason it failed).
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box || box.getAttribute("data-active") !== "yes") { return; }
  var url = box.getAttribute("data-status-url");
  function set(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (el && value !== null && value !== undefined) { el.textContent = String(value); }
  }
  function tick() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(tick, 5000); return; }
        ["status", "rows_read", "accepted", "quarantined", "rows_saved"].forEach(function (k) { set(k, job[k]); });
        var meter = box.querySelector('[data-field="meter"]');
        if (meter) {
          meter.max = Math.max(job.rows_read, 1);
          meter.value = job.status === "saving" ? job.rows_saved : job.rows_read;
        }
        if (job.active) { window.setTimeout(tick, 1500); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 1500);
})();
