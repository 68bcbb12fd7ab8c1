// The checkout page's live part: the offer's countdown, then the running cost, then the
// receipt link. It only polls the page's own status.json; without JavaScript the page
// still works (reload it).
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script.getAttribute("data-status-url");
  var shown = script.getAttribute("data-status");
  var byId = function (id) { return document.getElementById(id); };

  var countdown = byId("countdown");
  if (countdown) {
    var left = parseInt(countdown.getAttribute("data-seconds"), 10);
    var deadline = Date.now() + left * 1000;
    var tick = function () {
      var s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      countdown.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
      if (s === 0) { window.location.reload(); return; }
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  var show = function (id, text) {
    var el = byId(id);
    if (el && text !== undefined && text !== null) { el.textContent = text; }
  };

  var apply = function (data) {
    if (data.status !== shown) { window.location.reload(); return false; }
    if (data.live) {
      byId("live-wait").hidden = true;
      byId("live-figures").hidden = false;
      show("live-energy", data.live.energy_text);
      show("live-cost", data.live.cost_text);
      show("live-updated", data.live.updated_text);
    }
    if (data.final) {
      show("final-energy", data.final.energy_text);
      show("final-cost", data.final.cost_text);
      show("final-captured", data.final.captured_text);
      byId("receipt-link").href = data.final.receipt_url;
      byId("receipt-pdf").href = data.final.receipt_pdf;
      byId("live").hidden = true;
      byId("paid").hidden = true;
      byId("final").hidden = false;
      return false;
    }
    return true;
  };

  var poll = function () {
    fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        var again = data === null || apply(data);
        if (again) { window.setTimeout(poll, shown === "requires_payment" ? 5000 : 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  };
  window.setTimeout(poll, shown === "requires_payment" ? 5000 : 1000);
})();
