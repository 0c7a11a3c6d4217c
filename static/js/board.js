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
})();
