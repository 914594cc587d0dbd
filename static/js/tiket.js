/* A ticket on the phone: follows the queue over Socket.IO, vibrates and chimes when called. */
(function () {
  "use strict";
  var box = document.getElementById("tiket");
  if (!box || !window.io) { return; }
  var token = box.getAttribute("data-token");
  var number = box.getAttribute("data-number");
  var status = document.getElementById("status");
  var link = document.getElementById("koneksi");
  var version = -1;
  // After a restart, try again every 0.5 to 2 s (the client's defaults reach 5 s): back within
  // seconds of the server (docs/realtime.md, "Restarts").
  var socket = window.io("/antrian", { reconnectionDelay: 500, reconnectionDelayMax: 2000 });

  function text(tag, cls, content) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    el.textContent = content;
    return el;
  }

  function render(state) {
    var atCounter = null;
    state.counters.forEach(function (c) { if (c.current && c.current.number === number) { atCounter = c; } });
    var ahead = -1;
    state.services.forEach(function (s) { var i = s.waiting.indexOf(number); if (i >= 0) { ahead = i; } });
    status.textContent = "";
    if (atCounter) {
      status.appendChild(text("p", "called-banner", "Silakan ke " + atCounter.name));
    } else if (ahead >= 0) {
      status.appendChild(text("p", "big-fact", ahead + " orang di depan Anda"));
    } else {
      socket.emit("join", { ticket: token }); // finished or skipped: ask for this ticket's own state
    }
  }

  function renderTicket(ticket) {
    if (ticket.status === "waiting" || ticket.status === "called" || ticket.status === "serving") { return; }
    status.textContent = "";
    if (ticket.status === "done") {
      status.appendChild(text("p", "big-fact", "Terima kasih, layanan Anda sudah selesai."));
      // The survey link is made on the server once the service is finished: load the page once to show it.
      if (box.getAttribute("data-status") !== "done") { box.setAttribute("data-status", "done"); window.location.reload(); }
    } else if (ticket.status === "skipped") {
      status.appendChild(text("p", "notice", "Nomor Anda sudah dipanggil tetapi Anda belum datang. Temui petugas loket untuk dipanggil ulang."));
    }
  }

  socket.on("connect", function () { link.textContent = "Terhubung. Halaman ini diperbarui sendiri."; socket.emit("join", { ticket: token }); });
  socket.on("disconnect", function () { link.textContent = "Koneksi terputus, menyambung kembali…"; });
  socket.on("snapshot", function (state) {
    version = state.version;
    var finished = state.ticket && (state.ticket.status === "done" || state.ticket.status === "skipped");
    // A finished ticket is in no list: render() would ask for this ticket's state again, and again.
    if (finished) { renderTicket(state.ticket); } else { render(state); }
  });
  socket.on("state", function (state) {
    if (state.version <= version) { return; }
    version = state.version;
    render(state);
  });
  socket.on("called", function (call) {
    if (call.version > version + 1) { socket.emit("join", { ticket: token }); }
    if (call.number !== number) { return; }
    if (navigator.vibrate) { navigator.vibrate([400, 200, 400, 200, 400]); }
    try {
      var audio = new Audio(box.getAttribute("data-chime") || "/static/audio/chime.ogg");
      audio.play().catch(function () { /* the phone blocks sound until a tap: the banner still shows */ });
    } catch (e) { /* no audio support */ }
  });
})();
