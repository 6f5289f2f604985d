// Forms: when a form comes back with errors, move focus to the error summary so that keyboard and
// screen-reader users hear the problems first (its links lead to each field).
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
