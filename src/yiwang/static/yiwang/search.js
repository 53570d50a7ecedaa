// The search page: filters stay folded on a phone (results first) and open on a wide screen.
// Without this file the filters are one click away behind their summary.
(function () {
  "use strict";
  var panel = document.getElementById("filters-panel");
  if (panel && panel.hasAttribute("data-open-wide") && window.matchMedia("(min-width: 48em)").matches) {
    panel.open = true;
  }
})();
