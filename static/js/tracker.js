// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Ask before destructive actions: any form with data-confirm="message".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // Organization pickers: load their script only on pages that have one.
  var picker = document.querySelector("[data-org-combobox][data-script]");
  if (picker && !window.trackerOrgCombobox) {
    var script = document.createElement("script");
    script.src = picker.getAttribute("data-script");
    document.head.appendChild(script);
  }
})();
