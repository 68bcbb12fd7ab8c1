// Reloads the page every few seconds while the station has not answered or a session runs.
(function () {
  "use strict";
  var seconds = parseInt(document.currentScript.getAttribute("data-seconds"), 10) || 3;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
