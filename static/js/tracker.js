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
})();
