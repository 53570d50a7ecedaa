// The search page: filters stay folded on a phone (results first) and open on a wide screen.
// Without this file the filters are one click away behind their summary.
(function () {
  "use strict";
  var panel = document.getElementById("filters-panel");
  if (panel && panel.hasAttribute("data-open-wide") && window.matchMedia("(min-width: 48em)").matches) {
    panel.open = true;
  }

  // A question whose results were left without opening any is reported once, as the page is left,
  // so item administrators can teach the search (未答检索). Only the question is sent.
  var opened = false;
  var reported = false;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#results a");
    if (link && !link.closest(".pagination")) opened = true;
  });
  function report() {
    var results = document.getElementById("results");
    if (opened || reported || !results || !results.dataset.searchQ || !navigator.sendBeacon) return;
    reported = true;
    var data = new FormData();
    data.append("q", results.dataset.searchQ);
    data.append("csrfmiddlewaretoken", results.dataset.csrf);
    navigator.sendBeacon(results.dataset.unansweredUrl, data);
  }
  window.addEventListener("pagehide", report);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") report();
  });
})();
