/* Counter panel (templates/antrian/_panel.html): keyboard shortcuts, the "tidak hadir" confirmation,
   focus kept on the panel after every htmx swap, and a refresh of the panel whenever the queue changes
   (held while a mouse button is down on the panel, so that a refresh never swallows a click).

   Shortcuts (shown on the buttons, data-key and aria-keyshortcuts): P panggil, U ulang, M mulai,
   S selesai, T tidak hadir, A alihkan. They do nothing while typing in a field or with a modifier key.
   A form with data-confirm-key (tidak hadir) needs a second press of its key, or a second click, within
   CONFIRM_MS: a no-show by one stray key would send a visitor away. */
(function () {
  "use strict";
  var CONFIRM_MS = 3000;
  // The data-confirm-key form waiting for its second press, by its action and ticket: a queue change
  // may swap the panel in between, and the new panel's same form stays armed.
  var armedKey = null;
  var disarmTimer = null;

  function panel() { return document.getElementById("panel"); }

  function keyOf(form) {
    var ticket = form.querySelector('input[name="ticket"]');
    return form.getAttribute("action") + "|" + (ticket ? ticket.value : "");
  }

  function armedForm() {
    if (armedKey === null) { return null; }
    var forms = document.querySelectorAll("#panel form[data-confirm-key]");
    for (var i = 0; i < forms.length; i++) { if (keyOf(forms[i]) === armedKey) { return forms[i]; } }
    return null;
  }

  function show(form) {
    var region = document.getElementById("konfirmasi");
    if (form) { form.classList.add("armed"); }
    if (!region) { return; }
    region.textContent = form ? "Tekan " + form.getAttribute("data-confirm-key") +
      " sekali lagi untuk menandai tidak hadir (atau klik tombolnya sekali lagi)." : "";
    region.classList.toggle("armed", !!form);
  }

  function disarm() {
    var form = armedForm();
    if (form) { form.classList.remove("armed"); }
    armedKey = null;
    clearTimeout(disarmTimer);
    show(null);
  }

  function arm(form) {
    disarm();
    armedKey = keyOf(form);
    show(form);
    disarmTimer = setTimeout(disarm, CONFIRM_MS);
  }

  // Capture phase: runs before htmx's own submit listener on the form, so a first press stops here.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-confirm-key")) { return; }
    if (armedKey === keyOf(form)) { disarm(); return; } // the second press: let it through
    event.preventDefault();
    event.stopPropagation();
    arm(form);
  }, true);

  function typing(target) {
    return target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    // Alihkan: Enter in the chosen line's list sends the ticket there, Esc goes back to the panel.
    if (target && target.hasAttribute && target.hasAttribute("data-submit-on-enter")) {
      if (event.key === "Enter") { event.preventDefault(); target.form.requestSubmit(); }
      else if (event.key === "Escape" && panel()) { event.preventDefault(); panel().focus(); }
      return;
    }
    if (event.ctrlKey || event.altKey || event.metaKey || event.shiftKey || event.repeat) { return; }
    if (typing(target) || !event.key || event.key.length !== 1) { return; }
    var button = document.querySelector('#panel [data-key="' + event.key.toUpperCase() + '"]');
    if (!button) { return; }
    event.preventDefault();
    var select = button.form && button.form.querySelector("select[data-submit-on-enter]");
    if (select) { select.focus(); return; } // alihkan: first choose where to
    button.click();
  });

  // After a swap the old panel, and the element that had the focus, are gone: without this the
  // focus falls to <body> and the next Tab lands at the end of the page. htmx puts the focus back on
  // an element of the same id when there is one; otherwise the panel itself takes it.
  document.body.addEventListener("htmx:afterSettle", function () {
    var current = panel();
    if (!current) { return; }
    var active = document.activeElement;
    if (!active || active === document.body || !document.body.contains(active)) { current.focus(); }
    if (armedKey !== null) { if (armedForm()) { show(armedForm()); } else { disarm(); } }
  });

  // A refresh (a queue change elsewhere) that lands while the officer's mouse button is down on the
  // panel would replace the button being pressed, and the browser then fires no click: the press
  // would be lost. Such a swap waits for the release; if the release was a click on a button, that
  // button's answer is a new panel anyway, so the held refresh is dropped.
  var pressing = false;
  var heldRefresh = false;
  document.addEventListener("pointerdown", function (event) {
    var current = panel();
    pressing = !!(current && current.contains(event.target));
  }, true);
  function released() {
    if (!pressing) { return; }
    pressing = false;
    if (!heldRefresh) { return; }
    heldRefresh = false;
    // After the click this release makes, if any: by then a button's request is in flight.
    setTimeout(function () {
      if (!document.querySelector("#panel .htmx-request")) { document.body.dispatchEvent(new CustomEvent("queue-changed")); }
    }, 0);
  }
  document.addEventListener("pointerup", released, true);
  document.addEventListener("pointercancel", released, true);
  window.addEventListener("blur", released); // released outside the window: never hold a refresh for good
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (pressing && event.detail.elt === panel() && event.detail.requestConfig.verb === "get") {
      event.detail.shouldSwap = false;
      heldRefresh = true;
    }
  });

  var start = panel();
  if (start && (!document.activeElement || document.activeElement === document.body)) { start.focus(); }

  if (!start || !window.io) { return; }
  // After a restart, try again every 0.5 to 2 s (the client's defaults reach 5 s): back within
  // seconds of the server (docs/realtime.md, "Restarts").
  var socket = window.io("/antrian", { reconnectionDelay: 500, reconnectionDelayMax: 2000 });
  var version = -1;
  socket.on("connect", function () { socket.emit("join", { unit: start.getAttribute("data-unit"), patches: true }); });
  // Only the version matters here: a patch (docs/realtime.md) says as much as a whole state.
  function changed(state) {
    if (state.version > version) {
      if (version >= 0) { document.body.dispatchEvent(new CustomEvent("queue-changed")); }
      version = state.version;
    }
  }
  socket.on("snapshot", changed);
  socket.on("state", changed);
})();
