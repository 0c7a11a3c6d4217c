// Copy buttons for one-time links; without JavaScript the link is selected by hand.
// The status texts come translated from the page (data-copied, data-failed on #copy-status).
(function () {
  "use strict";
  var status = document.getElementById("copy-status");
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(
        function () { if (status) { status.textContent = status.dataset.copied; } },
        function () { input.select(); if (status) { status.textContent = status.dataset.failed; } }
      );
    });
  });
  document.querySelectorAll("input[readonly][id='one-time-link']").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
