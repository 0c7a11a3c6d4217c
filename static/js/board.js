// Board enhancements: drag a card to the next column to request or decide a gate, load more cards.
// Without this file every action is still a plain link on the card.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board) { return; }
  var STAGES = ["develop", "test", "market"];
  var dialog = document.getElementById("gate-dialog");
  var message = document.getElementById("board-message");
  var dragged = null;

  function say(text) {
    message.textContent = text;
  }

  // The messages come translated from the page: data-msg-* on the board, with {title}/{stage}.
  function text(name, card, stage) {
    return (board.getAttribute("data-msg-" + name) || "")
      .replace("{title}", card.dataset.title)
      .replace("{stage}", stage || "");
  }

  function stageName(stage) {
    var column = board.querySelector('[data-column="' + stage + '"]');
    return column ? column.dataset.stageName : stage;
  }

  function nextStage(stage) {
    var i = STAGES.indexOf(stage);
    return i >= 0 && i + 1 < STAGES.length ? STAGES[i + 1] : null;
  }

  function openDialog(card, kind) {
    var request = document.getElementById("gate-request-form");
    var decide = document.getElementById("gate-decide-form");
    var form = kind === "decide" ? decide : request;
    request.hidden = kind === "decide";
    decide.hidden = kind !== "decide";
    form.action = kind === "decide" ? card.dataset.decideUrl : card.dataset.requestUrl;
    form.querySelectorAll("[data-dialog-project]").forEach(function (el) {
      el.textContent = card.dataset.title;
    });
    var link = form.querySelector("[data-review-link]");
    if (link) { link.href = card.dataset.reviewUrl; }
    dialog.showModal();
    var first = form.querySelector("textarea, input[type=radio]:checked");
    if (first) { first.focus(); }
  }

  function tryMove(card, target) {
    var next = nextStage(card.dataset.stage);
    if (next !== target) {
      say(next ? text("forward", card, stageName(next)) : text("last", card));
      return;
    }
    if (!dialog) {
      say(text("unavailable", card));
    } else if (card.dataset.decideUrl) {
      openDialog(card, "decide");
    } else if (card.dataset.requestUrl) {
      openDialog(card, "request");
    } else {
      say(text("refused", card));
    }
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".board-card") : null;
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.projectId);
  });
  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    board.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  });
  board.addEventListener("dragover", function (event) {
    var column = event.target.closest ? event.target.closest("[data-column]") : null;
    if (!column || !dragged) { return; }
    event.preventDefault();
    column.classList.add("drop-target");
  });
  board.addEventListener("dragleave", function (event) {
    var column = event.target.closest ? event.target.closest("[data-column]") : null;
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("drop-target"); }
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest ? event.target.closest("[data-column]") : null;
    if (!column || !dragged) { return; }
    event.preventDefault();
    column.classList.remove("drop-target");
    if (column.dataset.column !== dragged.dataset.stage) { tryMove(dragged, column.dataset.column); }
    dragged = null;
  });

  if (dialog) {
    dialog.addEventListener("click", function (event) {
      if (event.target.hasAttribute("data-dialog-close")) { dialog.close(); }
    });
  }

  // "Show more" loads the next cards into the column instead of leaving the board.
  board.addEventListener("click", function (event) {
    var more = event.target.closest ? event.target.closest("[data-more]") : null;
    if (!more) { return; }
    event.preventDefault();
    var url = more.href + (more.href.indexOf("?") >= 0 ? "&" : "?") + "fragment=1";
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    }).then(function (html) {
      var item = more.closest("li");
      var holder = document.createElement("ul");
      holder.innerHTML = html;
      var list = item.parentNode;
      Array.prototype.slice.call(holder.children).forEach(function (child) { list.insertBefore(child, item); });
      item.remove();
    }).catch(function () {
      window.location.href = more.href;
    });
  });

  // Below 768 px one column at a time. Without this script the stage links reload the page
  // with ?stage=; with it they become a tablist (arrow keys, Home, End) that switches in place.
  var tabList = document.querySelector("[data-board-tabs]");
  if (tabList) {
    var narrow = window.matchMedia("(max-width: 767.98px)");
    var tabs = Array.prototype.slice.call(tabList.querySelectorAll("[data-tab]"));
    var panelOf = function (tab) { return document.getElementById("column-" + tab.dataset.tab); };

    var select = function (chosen, focus) {
      tabs.forEach(function (tab) {
        var on = tab === chosen;
        tab.classList.toggle("active", on);
        panelOf(tab).classList.toggle("is-active", on);
        if (narrow.matches) {
          tab.setAttribute("aria-selected", on ? "true" : "false");
          tab.tabIndex = on ? 0 : -1;
        }
      });
      if (focus) { chosen.focus(); }
      if (window.history && window.history.replaceState) { window.history.replaceState(null, "", chosen.href); }
    };

    var roles = function () {
      var on = narrow.matches;
      if (on) { tabList.setAttribute("role", "tablist"); } else { tabList.removeAttribute("role"); }
      tabs.forEach(function (tab) {
        var panel = panelOf(tab);
        var active = tab.classList.contains("active");
        if (on) {
          tab.setAttribute("role", "tab");
          tab.setAttribute("aria-controls", panel.id);
          tab.setAttribute("aria-selected", active ? "true" : "false");
          tab.removeAttribute("aria-current");
          tab.tabIndex = active ? 0 : -1;
          panel.setAttribute("role", "tabpanel");
          panel.setAttribute("aria-labelledby", tab.id);
        } else {
          ["role", "aria-controls", "aria-selected", "tabindex"].forEach(function (name) { tab.removeAttribute(name); });
          panel.removeAttribute("role");
          panel.setAttribute("aria-labelledby", "col-" + tab.dataset.tab);
        }
      });
    };

    tabList.addEventListener("click", function (event) {
      var tab = event.target.closest ? event.target.closest("[data-tab]") : null;
      if (!tab || !narrow.matches) { return; }
      event.preventDefault();
      select(tab, false);
    });
    tabList.addEventListener("keydown", function (event) {
      var i = tabs.indexOf(document.activeElement);
      if (i < 0 || !narrow.matches) { return; }
      var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      select(tabs[(next + tabs.length) % tabs.length], true);
    });
    roles();
    if (narrow.addEventListener) { narrow.addEventListener("change", roles); } else { narrow.addListener(roles); }
  }
})();
