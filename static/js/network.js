// Zoom and pan for the server-drawn network (/network): an extra, the drawing works without it.
// Buttons zoom in, out and reset; dragging with the mouse or a finger pans; the keyboard works
// on the buttons. Only the SVG's viewBox changes.
(function () {
  "use strict";
  var svg = document.querySelector("svg.network-graph[data-zoomable]");
  var bar = document.getElementById("network-zoom");
  if (!svg || !bar) return;
  var full = svg.viewBox.baseVal;
  var start = { x: full.x, y: full.y, w: full.width, h: full.height };
  var view = { x: start.x, y: start.y, w: start.w, h: start.h };

  function apply() {
    svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
  }

  function zoom(factor) {
    var cx = view.x + view.w / 2, cy = view.y + view.h / 2;
    view.w = Math.min(start.w, Math.max(start.w / 16, view.w * factor));
    view.h = view.w * start.h / start.w;
    view.x = cx - view.w / 2;
    view.y = cy - view.h / 2;
    apply();
  }

  bar.hidden = false;
  bar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-zoom]");
    if (!button) return;
    var action = button.getAttribute("data-zoom");
    if (action === "in") zoom(0.7);
    else if (action === "out") zoom(1 / 0.7);
    else { view = { x: start.x, y: start.y, w: start.w, h: start.h }; apply(); }
  });

  var drag = null;
  svg.addEventListener("pointerdown", function (event) {
    if (event.target.closest("a")) return; // a click on an organization opens it
    drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y };
    svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var scale = view.w / svg.getBoundingClientRect().width;
    view.x = drag.vx - (event.clientX - drag.x) * scale;
    view.y = drag.vy - (event.clientY - drag.y) * scale;
    apply();
  });
  svg.addEventListener("pointerup", function () { drag = null; });
  svg.addEventListener("pointercancel", function () { drag = null; });
})();
