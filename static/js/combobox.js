// Organization pickers as ARIA 1.2 comboboxes (list autocomplete, no automatic selection).
// Loaded by tracker.js only on pages that have a [data-org-combobox]; without it the text box
// is matched on the server. Keys: Down/Up move through the list (Alt+Down opens it), Enter
// picks, Escape closes the list (a second Escape clears the box), Tab leaves.
(function () {
  "use strict";
  var DELAY = 200; // ms of quiet typing before asking the server
  var counter = 0;

  function setup(box) {
    if (box.hasAttribute("data-ready")) return;
    box.setAttribute("data-ready", "");
    var input = box.querySelector("input[type=text]");
    var hidden = box.querySelector("[data-org-id]");
    var kind = box.querySelector("[data-org-kind]");
    var cache = {};
    var options = [];
    var active = -1;
    var timer = null;
    var asked = null;
    // Arrow presses made while the list was being asked for: counted, then applied to the
    // answer, so a fast typist's second press is not lost on a slow server.
    var waiting = null;
    counter += 1;
    var listId = (input.id || "org-combobox-" + counter) + "-listbox";

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "org-combobox-list list-unstyled";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var label = input.labels && input.labels[0];
    if (label) {
      if (!label.id) label.id = input.id + "-label";
      list.setAttribute("aria-labelledby", label.id);
    }
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    box.appendChild(list);
    box.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function message(name, count) {
      return (box.getAttribute("data-msg-" + name) || "").replace("{count}", count);
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      asked = null;
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (item, i) {
        item.el.setAttribute("aria-selected", i === index ? "true" : "false");
        item.el.classList.toggle("active", i === index);
      });
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var el = options[index].el;
      input.setAttribute("aria-activedescendant", el.id);
      if (el.scrollIntoView) el.scrollIntoView({ block: "nearest" });
    }

    function pick(index) {
      var org = options[index].org;
      input.value = org.name;
      hidden.value = org.id;
      if (kind) kind.textContent = org.kind_label;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(answer, text) {
      if (asked === text && !list.hidden && options.length) return; // shown already: keep the place
      var keep = active >= 0 ? options[active].org.id : null;
      list.textContent = "";
      options = answer.organizations.map(function (org, i) {
        var el = document.createElement("li");
        el.id = listId + "-" + i;
        el.className = "org-combobox-option";
        el.setAttribute("role", "option");
        el.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = org.name;
        el.appendChild(name);
        var what = document.createElement("span");
        what.className = "org-combobox-kind";
        what.textContent = org.kind_label;
        el.appendChild(what);
        el.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
        });
        el.addEventListener("click", function () {
          pick(i);
        });
        return { el: el, org: org };
      });
      options.forEach(function (item) {
        list.appendChild(item.el);
      });
      if (!options.length) {
        var none = document.createElement("li");
        none.className = "org-combobox-empty";
        none.textContent = message("none", 0);
        list.appendChild(none);
      }
      active = -1;
      open();
      options.forEach(function (item, i) {
        if (item.org.id === keep) highlight(i);
      });
      status.textContent = !options.length
        ? message("none", 0)
        : answer.more
          ? message("more", options.length)
          : message("results", options.length);
      asked = text;
    }

    function ask(text, then) {
      clearTimeout(timer); // asking now: the pause after typing need not ask again
      var key = text.trim().toLowerCase();
      if (cache[key]) {
        show(cache[key], text);
        if (then) then();
        return;
      }
      var source = box.getAttribute("data-source");
      var url = source + (source.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(text.trim());
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (answer) {
          if (!answer) return;
          cache[key] = answer;
          if (input.value === text && document.activeElement === input) {
            show(answer, text);
            if (then) then();
          }
        })
        .catch(function () {
          // the server matches the typed text when the form is sent
        });
    }

    input.addEventListener("input", function () {
      waiting = null; // presses made for another text
      hidden.value = ""; // the text no longer names the picked organization
      if (kind) kind.textContent = "";
      clearTimeout(timer);
      var text = input.value;
      timer = setTimeout(function () {
        ask(text);
      }, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var isOpen = !list.hidden;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!isOpen || asked !== input.value) {
            // (an answer that never came is asked for again after 3 s)
            if (waiting && waiting.text === input.value && Date.now() - waiting.at < 3000) {
              waiting.moves += 1; // the answer is on its way: count the press
              break;
            }
            var wait = (waiting = { text: input.value, moves: 0, at: Date.now() });
            ask(input.value, function () {
              if (waiting === wait) waiting = null;
              if (!event.altKey && options.length) highlight(Math.min(wait.moves, options.length - 1));
            });
          } else if (options.length) {
            highlight(active < options.length - 1 ? active + 1 : 0);
          }
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!isOpen) {
            ask(input.value, function () {
              if (options.length) highlight(options.length - 1);
            });
          } else if (options.length) {
            highlight(active > 0 ? active - 1 : options.length - 1);
          }
          break;
        case "Enter":
          if (isOpen && active >= 0) {
            event.preventDefault(); // pick, do not send the form yet
            pick(active);
          }
          break;
        case "Escape":
          if (isOpen) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            hidden.value = "";
            if (kind) kind.textContent = "";
          }
          break;
        case "Tab":
          close();
          break;
      }
    });

    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
  }

  function init(root) {
    var boxes = (root || document).querySelectorAll("[data-org-combobox]");
    Array.prototype.forEach.call(boxes, setup);
  }

  window.trackerOrgCombobox = { init: init };
  init(document);
})();
