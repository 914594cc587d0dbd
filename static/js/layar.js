/* Lobby display: live over Socket.IO; each call is shown, chimed and spoken, one after another.
   Speech uses the TV's Indonesian voice when it has one, else recorded clips (static/audio/id/). */
(function () {
  "use strict";
  var body = document.body;
  var unit = body.getAttribute("data-unit");
  var only = (body.getAttribute("data-only") || "").split(",").filter(Boolean).map(Number);
  var clipBase = body.getAttribute("data-audio");
  var chimeUrl = body.getAttribute("data-chime");
  var version = -1;
  var soundOn = false;
  var queue = Promise.resolve();
  var DIGITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"];

  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) { e.className = cls; } if (text !== undefined) { e.textContent = text; } return e; }

  // Counter numbers as words: 2 -> ["dua"], 12 -> ["dua", "belas"], 21 -> ["dua", "puluh", "satu"].
  function numberWords(n) {
    if (n < 10) { return [DIGITS[n]]; }
    if (n === 10) { return ["sepuluh"]; }
    if (n === 11) { return ["sebelas"]; }
    if (n < 20) { return [DIGITS[n - 10], "belas"]; }
    var words = [DIGITS[Math.floor(n / 10)], "puluh"];
    return n % 10 ? words.concat([DIGITS[n % 10]]) : words;
  }

  // "A-007", 2 -> clip names and the sentence for a speech voice.
  function announcement(call) {
    var parts = call.number.split("-");
    var letter = parts[0], digits = (parts[1] || "").split("").map(function (d) { return DIGITS[+d]; });
    var counter = call.counter ? call.counter.number : 0;
    return {
      clips: ["nomor-antrian", "huruf-" + letter.toLowerCase()].concat(digits, ["silakan-ke-loket"], numberWords(counter)),
      sentence: "Nomor antrian " + letter + " " + digits.join(" ") + ", silakan ke Loket " + numberWords(counter).join(" ")
    };
  }

  function play(url) {
    return new Promise(function (resolve) {
      var audio = new Audio(url);
      audio.onended = resolve;
      audio.onerror = resolve;
      audio.play().catch(resolve);
    });
  }

  function indonesianVoice() {
    if (!window.speechSynthesis) { return null; }
    return window.speechSynthesis.getVoices().filter(function (v) { return /^id(-|_|$)/i.test(v.lang); })[0] || null;
  }

  function speak(a) {
    var voice = indonesianVoice();
    if (voice) {
      return new Promise(function (resolve) {
        var u = new SpeechSynthesisUtterance(a.sentence);
        u.voice = voice; u.lang = voice.lang; u.rate = 0.9;
        u.onend = resolve; u.onerror = resolve;
        window.speechSynthesis.speak(u);
      });
    }
    return a.clips.reduce(function (p, name) { return p.then(function () { return play(clipBase + name + ".ogg"); }); }, Promise.resolve());
  }

  function showCall(call) {
    var box = document.getElementById("panggilan");
    box.textContent = "";
    box.appendChild(el("span", "n", call.number));
    box.appendChild(el("span", "c", "Silakan ke " + (call.counter ? call.counter.name : "loket")));
    box.hidden = false;
  }

  function announce(call) {
    queue = queue.then(function () {
      showCall(call);
      var a = announcement(call);
      var sound = soundOn ? play(chimeUrl).then(function () { return speak(a); }) : new Promise(function (r) { setTimeout(r, 4000); });
      return sound.then(function () { return new Promise(function (r) { setTimeout(r, 800); }); });
    }).then(function () { document.getElementById("panggilan").hidden = true; });
  }

  function render(state) {
    var list = document.getElementById("loket");
    var previous = {};
    list.querySelectorAll("[data-counter]").forEach(function (li) { previous[li.getAttribute("data-counter")] = li.querySelector(".d-counter-number").textContent; });
    list.textContent = "";
    state.counters.forEach(function (c) {
      if (only.length && only.indexOf(c.number) < 0) { return; }
      var li = el("li", "d-counter");
      li.setAttribute("data-counter", c.number);
      li.appendChild(el("span", "d-counter-name", c.name));
      var current = c.current ? c.current.number : "—";
      li.appendChild(el("span", "d-counter-number", current));
      if (previous[c.number] !== undefined && previous[c.number] !== current && c.current) { li.classList.add("is-new"); }
      list.appendChild(li);
    });
    var recent = document.getElementById("terakhir");
    recent.textContent = "";
    state.recent_calls.forEach(function (call) {
      var li = el("li"); li.appendChild(el("span", "", call.number)); li.appendChild(el("span", "", "Loket " + call.counter)); recent.appendChild(li);
    });
    var waiting = document.getElementById("menunggu");
    waiting.textContent = "";
    state.services.forEach(function (s) {
      var li = el("li"); li.appendChild(el("span", "", s.code + " · " + s.name)); li.appendChild(el("span", "", String(s.waiting.length))); waiting.appendChild(li);
    });
    if (state.running_text) { document.getElementById("teks-berjalan").textContent = state.running_text; }
  }

  // The office's clock, whatever zone the TV was set to.
  var clock = new Intl.DateTimeFormat("id-ID", { timeZone: body.getAttribute("data-timezone") || undefined, hour: "2-digit", minute: "2-digit" });
  function tick() { document.getElementById("jam").textContent = clock.format(new Date()); }
  tick(); setInterval(tick, 10000);

  var button = document.getElementById("aktifkan-suara");
  button.addEventListener("click", function () {
    soundOn = true;
    button.hidden = true;
    play(chimeUrl); // a first sound after a click unlocks audio for the rest of the day
    if (window.speechSynthesis) { window.speechSynthesis.getVoices(); }
  });

  if (!window.io) { return; }
  // After a restart, try again every 0.5 to 2 s (the client's defaults reach 5 s): back within
  // seconds of the server (docs/realtime.md, "Restarts").
  var socket = window.io("/antrian", { reconnectionDelay: 500, reconnectionDelayMax: 2000 });
  socket.on("connect", function () { socket.emit("join", { unit: unit }); });
  socket.on("snapshot", function (state) { version = state.version; render(state); });
  socket.on("state", function (state) { if (state.version > version) { version = state.version; render(state); } });
  socket.on("called", function (call) {
    if (call.version > version + 1) { socket.emit("join", { unit: unit }); }
    if (only.length && call.counter && only.indexOf(call.counter.number) < 0) { return; }
    announce(call);
  });
})();
