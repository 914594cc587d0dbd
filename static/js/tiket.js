/* A ticket on the phone: follows its own ticket over Socket.IO (the `position` event: people ahead and the
   estimated wait, worded on the server by webapp.core.formatting.perkiraan_tunggu; docs/realtime.md), follows a
   transfer to its new line, vibrates and chimes when called, and, once the visitor allows it with "Beri tahu
   saya", shows a browser notification when the turn is near (data-notify-ahead people ahead) and when it is
   called. No permission prompt on page load. A server with QUEUE_REALTIME_FULL_STATE sends the unit's whole
   `state` instead: the phone then finds its number in it and asks the API for the words. */
(function () {
  "use strict";
  var box = document.getElementById("tiket");
  if (!box) { return; }
  var token = box.getAttribute("data-token");
  var number = box.getAttribute("data-number");
  var api = box.getAttribute("data-api");
  var nearAt = parseInt(box.getAttribute("data-notify-ahead") || "3", 10);
  var status = document.getElementById("status");
  var link = document.getElementById("koneksi");
  var serviceName = document.getElementById("layanan");
  var version = -1;
  var lastEstimate = null;

  // --- browser notifications -------------------------------------------------------------------
  var notifyKey = "loket-beri-tahu:" + token;
  var row = document.getElementById("beri-tahu-baris");
  var button = document.getElementById("beri-tahu");
  var permissionNote = document.getElementById("izin-status");
  var canNotify = "Notification" in window;
  // The page's words in its language (templates/antrian/ticket.html, #tiket-teks); Indonesian when missing.
  var words = {};
  try { words = JSON.parse(document.getElementById("tiket-teks").textContent); } catch (e) { words = {}; }
  function t(key, fallback, values) {
    var out = words[key] || fallback;
    Object.keys(values || {}).forEach(function (name) { out = out.split("{" + name + "}").join(values[name]); });
    return out;
  }
  var pageLang = document.documentElement.lang || "id";

  function store(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ } }
  function stored(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function notifying() { return canNotify && window.Notification.permission === "granted" && stored(notifyKey) === "1"; }

  function note(message) {
    if (!permissionNote) { return; }
    permissionNote.textContent = message;
    permissionNote.hidden = false;
  }

  function showPermission() {
    if (!row) { return; }
    if (!canNotify) { return; }
    if (notifying()) { row.hidden = true; note(t("notifyOn", "Pemberitahuan di peramban ini aktif selama halaman ini terbuka.")); return; }
    if (window.Notification.permission === "denied") {
      row.hidden = true;
      note(t("notifyDenied", "Peramban menolak pemberitahuan untuk situs ini. Anda bisa mengizinkannya di pengaturan peramban, atau tinggalkan nomor HP."));
      return;
    }
    row.hidden = false;
  }

  // Once per ticket and kind (near, called), even across reloads.
  function notifyOnce(kind, title, body) {
    if (!notifying()) { return; }
    var key = "loket-diberi-tahu:" + token + ":" + kind;
    if (stored(key)) { return; }
    store(key, "1");
    try { new window.Notification(title, { body: body, tag: "loket-" + token + "-" + kind, lang: pageLang }); } catch (e) { /* Android Chrome needs a service worker: the page still shows it */ }
  }

  if (button) {
    button.addEventListener("click", function () {
      var asked = window.Notification.requestPermission();
      var done = function (answer) {
        if (answer === "granted") { store(notifyKey, "1"); }
        showPermission();
        if (answer === "granted") { socket && socket.emit("join", { ticket: token }); }
      };
      if (asked && asked.then) { asked.then(done); } else { done(window.Notification.permission); }
    });
  }
  showPermission();

  if (!window.io) { return; }
  // After a restart, try again every 0.5 to 2 s (the client's defaults reach 5 s): back within
  // seconds of the server (docs/realtime.md, "Restarts").
  var socket = window.io("/antrian", { reconnectionDelay: 500, reconnectionDelayMax: 2000 });

  function text(tag, cls, content) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    el.textContent = content;
    return el;
  }

  function estimateText(wait) {
    return wait ? t("estimate", "Perkiraan menunggu: {wait}.", { wait: wait }) : t("noEstimate", "Perkiraan waktu tunggu muncul setelah layanan pertama hari ini selesai.");
  }

  function showWaiting(ahead) {
    status.textContent = "";
    var fact = text("p", "big-fact", t(ahead === 1 ? "aheadOne" : "ahead", "{n} orang di depan Anda", { n: ahead }));
    fact.setAttribute("data-field", "ahead");
    var estimate = text("p", "", estimateText(lastEstimate));
    estimate.setAttribute("data-field", "estimate");
    status.appendChild(fact);
    status.appendChild(estimate);
    if (ahead <= nearAt) {
      notifyOnce("hampir", t("nearTitle", "Giliran Anda hampir tiba"), ahead === 0
        ? t("nearNext", "Nomor {number}: Anda berikutnya.", { number: number })
        : t(ahead === 1 ? "nearAheadOne" : "nearAhead", "Nomor {number}: {n} orang lagi di depan Anda.", { number: number, n: ahead }));
    }
  }

  // The estimate is worded on the server; ask for it after a change, at most once per data-estimate-every
  // seconds (phones in a lobby share an address, and the API limits requests per address): a change
  // within that time is fetched once when it is over.
  var asking = false;
  var every = 1000 * parseFloat(box.getAttribute("data-estimate-every") || "20");
  var lastAsked = 0;
  var later = null;
  function refreshEstimate() {
    if (!api || !window.fetch || asking || later) { return; }
    var wait = lastAsked + every - Date.now();
    if (wait > 0) { later = window.setTimeout(function () { later = null; refreshEstimate(); }, wait); return; }
    lastAsked = Date.now();
    asking = true;
    window.fetch(api, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (view) {
        asking = false;
        if (!view) { return; }
        if (serviceName && view.service && serviceName.textContent !== view.service.name) { serviceName.textContent = view.service.name; }
        if (view.status !== "waiting") { return; }
        lastEstimate = view.estimated_wait_text;
        var estimate = status.querySelector('[data-field="estimate"]');
        if (estimate) { estimate.textContent = estimateText(lastEstimate); }
      })
      .catch(function () { asking = false; });
  }

  // Once called, the place can no longer be given back; once finished, nothing is left to announce.
  function showTools(status) {
    var cancelBox = document.getElementById("pembatalan");
    var notifyBox = document.getElementById("pemberitahuan");
    if (cancelBox) { cancelBox.hidden = status !== "waiting"; }
    if (notifyBox) { notifyBox.hidden = status !== "waiting" && status !== "called"; }
  }

  function render(state) {
    var atCounter = null;
    state.counters.forEach(function (c) { if (c.current && c.current.number === number) { atCounter = c; } });
    var ahead = -1;
    var line = null;
    state.services.forEach(function (s) { var i = s.waiting.indexOf(number); if (i >= 0) { ahead = i; line = s; } });
    if (atCounter) {
      showTools("called");
      status.textContent = "";
      status.appendChild(text("p", "called-banner", t("goTo", "Silakan ke {counter}", { counter: atCounter.name })));
    } else if (ahead >= 0) {
      showTools("waiting");
      // A transfer moves the number to another line: show the new line's name at once.
      if (serviceName && line && serviceName.textContent !== line.name) { serviceName.textContent = line.name; }
      showWaiting(ahead);
      refreshEstimate();
    } else {
      socket.emit("join", { ticket: token }); // finished, skipped or cancelled: ask for this ticket's own state
    }
  }

  function renderTicket(ticket) {
    if (ticket.status === "waiting" || ticket.status === "called" || ticket.status === "serving") { return; }
    showTools(ticket.status);
    status.textContent = "";
    if (ticket.status === "done") {
      status.appendChild(text("p", "big-fact", t("done", "Terima kasih, layanan Anda sudah selesai.")));
      // The survey link is made on the server once the service is finished: load the page once to show it.
      if (box.getAttribute("data-status") !== "done") { box.setAttribute("data-status", "done"); window.location.reload(); }
    } else if (ticket.status === "skipped") {
      status.appendChild(text("p", "notice", t("skipped", "Nomor Anda sudah dipanggil tetapi Anda belum datang. Temui petugas loket untuk dipanggil ulang.")));
    } else if (ticket.status === "cancelled") {
      status.appendChild(text("p", "big-fact", t("cancelled", "Antrian ini sudah Anda batalkan.")));
    }
  }

  // --- the ticket's own facts (`position`, and the `ticket` of the snapshot) --------------------------------
  var mine = null;  // the facts shown now: status, service, people_ahead, estimated_wait_text, counter
  function showFacts(facts) {
    mine = facts;
    if (facts.status === "waiting") {
      showTools("waiting");
      // A transfer moves the number to another line: show the new line's name at once.
      if (serviceName && facts.service && serviceName.textContent !== facts.service.name) { serviceName.textContent = facts.service.name; }
      lastEstimate = facts.estimated_wait_text;
      showWaiting(facts.people_ahead);
    } else if (facts.status === "called" || facts.status === "serving") {
      showTools("called");
      status.textContent = "";
      status.appendChild(text("p", "called-banner", t("goTo", "Silakan ke {counter}", { counter: facts.counter ? facts.counter.name : t("counter", "loket") })));
    } else {
      renderTicket(facts);
    }
  }
  var line = null;  // the code of the line whose `called` events this phone hears
  socket.on("position", function (facts) {
    if (facts.version < version) { return; }
    version = facts.version;
    // Another line (a transfer): join again, so that the server puts this phone in the new line's room.
    if (facts.status === "waiting" && facts.service && line !== null && facts.service.code !== line) { line = facts.service.code; socket.emit("join", { ticket: token }); }
    showFacts(facts);
  });

  socket.on("connect", function () { link.textContent = t("connected", "Terhubung. Halaman ini diperbarui sendiri."); socket.emit("join", { ticket: token }); });
  socket.on("disconnect", function () { link.textContent = t("disconnected", "Koneksi terputus, menyambung kembali…"); });
  socket.on("snapshot", function (state) {
    version = state.version;
    var ticket = state.ticket;
    if (ticket && ticket.service) { line = ticket.service.code; }
    if (!state.services) { if (ticket) { showFacts(ticket); } return; }  // rooms by client type: the ticket is all
    var finished = ticket && (ticket.status === "done" || ticket.status === "skipped" || ticket.status === "cancelled");
    if (ticket && ticket.status === "waiting") { lastEstimate = ticket.estimated_wait_text; }
    // A finished ticket is in no list: render() would ask for this ticket's state again, and again.
    if (finished) { renderTicket(ticket); } else { render(state); }
  });
  socket.on("state", function (state) {
    if (state.version <= version) { return; }
    version = state.version;
    render(state);
  });
  socket.on("called", function (call) {
    if (call.number !== number) {
      if (!mine) {  // the whole state comes to this phone (QUEUE_REALTIME_FULL_STATE): resync on a gap
        if (call.version > version + 1) { socket.emit("join", { ticket: token }); }
        return;
      }
      // A first call in this line takes its head, who was ahead of this phone: one fewer at once; the
      // `position` that follows (within QUEUE_STATE_DELAY) gives the exact figures and the new estimate.
      if (call.version > version && call.call_count === 1 && mine.status === "waiting" && mine.people_ahead > 0 &&
          mine.service && call.service && call.service.code === mine.service.code) {
        mine.people_ahead -= 1;
        showFacts(mine);
      }
      return;
    }
    if (mine) { showFacts({ status: "called", service: mine.service, counter: call.counter, people_ahead: null, estimated_wait_text: null }); }
    var where = call.counter ? call.counter.name : t("counter", "loket");
    notifyOnce("dipanggil" + (call.call_count || 1), t("calledTitle", "Nomor {number} dipanggil", { number: number }),
      t("calledBody", "Silakan ke {counter} sekarang.", { counter: where }));
    if (navigator.vibrate) { navigator.vibrate([400, 200, 400, 200, 400]); }
    try {
      var audio = new Audio(box.getAttribute("data-chime") || "/static/audio/chime.ogg");
      audio.play().catch(function () { /* the phone blocks sound until a tap: the banner still shows */ });
    } catch (e) { /* no audio support */ }
  });
})();
