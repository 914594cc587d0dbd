/* Lobby display: live over Socket.IO. Lays the counters out to fit the screen (paging them through in turns
   past a readable size), shows each call at once, and speaks pending calls in order with a short chime and
   recorded clips (static/audio/), dropping those older than the unit's setting. See README, "Layar TV". */
(function () {
  "use strict";
  var body = document.body;
  var unit = body.getAttribute("data-unit");
  var part = body.getAttribute("data-part") || "semua";
  var only = (body.getAttribute("data-only") || "").split(",").filter(Boolean).map(Number);
  var lines = (body.getAttribute("data-lines") || "").split(",").filter(Boolean);
  var clipBase = body.getAttribute("data-audio");
  var chimeUrl = body.getAttribute("data-chime");
  // The TV's clock may be wrong: ages of calls are measured on the server's clock.
  var clockOffset = Date.parse(body.getAttribute("data-server-now")) - Date.now() || 0;
  var state = JSON.parse(body.getAttribute("data-state") || "{}");
  var version = state.version || -1;
  var DIGITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"];
  var MIN_NUMBER = 0.06;   // counter-card numbers never below 6% of the short side (see display.css)
  var PAGE_SECONDS = 8;    // counters and waiting lines that do not fit are shown in turns
  var CATCH_UP_SECONDS = 30;  // a call this recent that this device never announced is announced (M4)
  var BANNER_AFTER = 4000; // the banner stays this long after the last announcement
  var SOUND_KEY = "loket.layar.suara";
  var ANNOUNCED_KEY = "loket.layar.diumumkan." + unit;
  var diagnostics = { announced: [], spoken: [], dropped: [] };
  window.layarDiagnostics = diagnostics;

  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) { e.className = cls; } if (text !== undefined) { e.textContent = text; } return e; }
  function serverNow() { return Date.now() + clockOffset; }
  function store(key, value) { try { if (value === null) { localStorage.removeItem(key); } else { localStorage.setItem(key, value); } } catch (e) { /* private mode */ } }
  function stored(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }

  // --- which calls this device announced, kept for a day ----------------------------------------------
  // A call is its number and the moment it was made (called_at): numbers start again at A-001 every
  // morning, and a transfer starts a ticket's call count again, so number + count is not one call.
  var announced = {};
  try { announced = JSON.parse(stored(ANNOUNCED_KEY) || "{}") || {}; } catch (e) { announced = {}; }
  function callKey(number, calledAt) { return number + "@" + calledAt; }
  // What the diagnostics (and the tests) name a call by: "A-001#2" is A-001's second call in its line.
  function callLabel(call) { return call.number + "#" + call.count; }
  function remember(key) {
    announced[key] = serverNow();
    var cutoff = serverNow() - 86400000;
    Object.keys(announced).forEach(function (k) { if (announced[k] < cutoff) { delete announced[k]; } });
    store(ANNOUNCED_KEY, JSON.stringify(announced));
  }

  // --- words -------------------------------------------------------------------------------------------
  // Counter numbers as words: 2 -> ["dua"], 12 -> ["dua", "belas"], 21 -> ["dua", "puluh", "satu"].
  function numberWords(n) {
    if (n < 10) { return [DIGITS[n]]; }
    if (n === 10) { return ["sepuluh"]; }
    if (n === 11) { return ["sebelas"]; }
    if (n < 20) { return [DIGITS[n - 10], "belas"]; }
    var words = [DIGITS[Math.floor(n / 10) % 10], "puluh"];
    return n % 10 ? words.concat([DIGITS[n % 10]]) : words;
  }

  // "A-007" at counter 2 -> clip names: short "A nol nol tujuh, loket dua", or the full sentence.
  // A booked "RA-007" says "R A ...": there is one clip per letter (static/audio/id/huruf-x.ogg), none for "ra".
  function clipsFor(number, counter) {
    var parts = number.split("-");
    var letters = parts[0].toLowerCase().split("").filter(function (c) { return /[a-z]/.test(c); })
      .map(function (c) { return "huruf-" + c; });
    var digits = (parts[1] || "").split("").filter(function (d) { return /\d/.test(d); }).map(function (d) { return DIGITS[+d]; });
    var full = (state.announce || {}).style === "lengkap";
    var head = full ? ["nomor-antrian"] : [];
    return head.concat(letters, digits, [",", full ? "silakan-ke-loket" : "loket"], numberWords(counter || 0));
  }

  // --- sound: Web Audio, clips decoded once, scheduled back to back -----------------------------------
  var Context = window.AudioContext || window.webkitAudioContext;
  var audio = Context ? new Context() : null;
  var buffers = {};
  // Clips follow each other with a short gap, a longer one at the comma; the first word starts on the
  // chime's fading tail. A short call ("A nol nol tujuh, loket dua") lasts about 3.5 s, chime included.
  var GAP = 0.03, COMMA = 0.15, CHIME_TAIL = 0.15;
  function buffer(name) {
    if (!buffers[name]) {
      var url = name === "chime" ? chimeUrl : clipBase + name + ".ogg";
      buffers[name] = fetch(url).then(function (r) { return r.arrayBuffer(); })
        .then(function (data) { return audio.decodeAudioData(data); }).catch(function () { return null; });
    }
    return buffers[name];
  }
  // The clips of a call, and how long they last together (seconds), chime included.
  function prepare(clips) {
    var names = ["chime"].concat(clips.filter(function (c) { return c !== ","; }));
    return Promise.all(names.map(buffer)).then(function (decoded) {
      var plan = [], at = 0, i = 0;
      ["chime"].concat(clips).forEach(function (name) {
        if (name === ",") { at += COMMA; return; }
        var b = decoded[i++];
        if (b) { plan.push({ buffer: b, at: at }); at += b.duration + (name === "chime" ? -CHIME_TAIL : GAP); }
      });
      return { plan: plan, seconds: Math.max(0, at - GAP) };
    });
  }
  function soundOn() { return !!audio && stored(SOUND_KEY) === "1" && audio.state === "running"; }
  function playClips(clips) {
    if (!audio) { return Promise.resolve(0); }
    return prepare(clips).then(function (p) {
      if (!soundOn()) { return p.seconds; }
      var start = audio.currentTime + 0.05;
      p.plan.forEach(function (item) { var s = audio.createBufferSource(); s.buffer = item.buffer; s.connect(audio.destination); s.start(start + item.at); });
      return new Promise(function (resolve) { setTimeout(function () { resolve(p.seconds); }, (p.seconds + 0.1) * 1000); });
    });
  }
  diagnostics.clips = function (number, counter) { return clipsFor(number, counter); };
  diagnostics.measure = function (number, counter) { return audio ? prepare(clipsFor(number, counter)).then(function (p) { return p.seconds; }) : Promise.resolve(null); };

  var soundButton = document.getElementById("aktifkan-suara");
  var soundStatus = document.getElementById("status-suara");
  var soundToggle = document.getElementById("ubah-suara");
  function showSound() {
    var wanted = stored(SOUND_KEY) === "1";
    soundButton.hidden = soundOn();
    soundStatus.textContent = soundOn() ? "aktif" : (wanted ? "diizinkan, menunggu browser (klik sekali)" : "mati");
    soundToggle.textContent = wanted ? "Matikan suara" : "Nyalakan suara";
  }
  function enableSound() {
    store(SOUND_KEY, "1");
    if (!audio) { showSound(); return Promise.resolve(); }
    return audio.resume().then(showSound, showSound);
  }
  soundButton.addEventListener("click", function () { enableSound(); });
  soundToggle.addEventListener("click", function () {
    if (stored(SOUND_KEY) === "1") { store(SOUND_KEY, null); showSound(); } else { enableSound(); }
  });
  document.getElementById("tes-suara").addEventListener("click", function () {
    enableSound().then(function () { return playClips(clipsFor("A-007", 2)); });
  });
  if (audio) { audio.onstatechange = showSound; }
  // Remembered on this device: try at once (a TV started with --autoplay-policy=no-user-gesture-required plays).
  if (stored(SOUND_KEY) === "1" && audio) { audio.resume().then(showSound, showSound); }
  showSound();

  // --- calls: the banner shows the newest at once; speech works through the pending ones in order ------
  var pending = [];
  var banner = [];  // calls on the banner now, newest first
  var speaking = false;
  var hideTimer = null;
  var flash = document.getElementById("panggilan");

  function drawBanner() {
    flash.textContent = "";
    if (!banner.length) { flash.hidden = true; return; }
    var newest = banner[0];
    flash.appendChild(el("span", "n", newest.number));
    flash.appendChild(el("span", "c", "Silakan ke " + newest.counterName));
    if (banner.length > 1) {
      var others = el("ul", "others");
      banner.slice(1, 5).forEach(function (c) { others.appendChild(el("li", "", c.number + " → " + c.counterName)); });
      flash.appendChild(others);
    }
    flash.hidden = false;
  }
  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { if (!speaking && !pending.length) { banner = []; drawBanner(); } }, BANNER_AFTER);
  }
  // call: {number, counter (number), counterName, count, at (server ms: when it was made)}
  function announce(call) {
    var key = callKey(call.number, call.at);
    if (announced[key]) { return; }  // a duplicate event, or announced before a reload
    remember(key);
    diagnostics.announced.push(callLabel(call));
    banner = [call].concat(banner.filter(function (c) { return c.number !== call.number; })).slice(0, 6);
    drawBanner();
    pending.push(call);
    speakNext();
  }
  function speakNext() {
    if (speaking) { return; }
    var call = pending.shift();
    if (!call) { scheduleHide(); return; }
    var maxAge = ((state.announce || {}).max_age_seconds || 60) * 1000;
    if (serverNow() - call.at > maxAge) { diagnostics.dropped.push(callLabel(call)); speakNext(); return; }
    speaking = true;
    var done = function () { speaking = false; speakNext(); };
    var started = soundOn();
    playClips(clipsFor(call.number, call.counter)).then(function (seconds) {
      diagnostics.spoken.push({ key: callLabel(call), seconds: seconds, sound: started });
      if (started) { done(); } else { setTimeout(done, 1500); }  // silent: a short pause so the banner is seen
    }, done);
  }

  // After a reconnect (or a restart of the server), calls of the last 30 s this device never announced.
  function catchUp(snapshot) {
    var names = {};
    (snapshot.counters || []).forEach(function (c) { names[c.number] = c.name; });
    (snapshot.recent_calls || []).slice().reverse().forEach(function (c) {
      if (!c.called_at || !c.call) { return; }
      if (only.length && only.indexOf(c.counter) < 0) { return; }
      var at = Date.parse(c.called_at);
      if (serverNow() - at > CATCH_UP_SECONDS * 1000 || announced[callKey(c.number, at)]) { return; }
      announce({ number: c.number, counter: c.counter, counterName: names[c.counter] || "Loket " + c.counter, count: c.call, at: at });
    });
  }

  // --- rendering and fitting ---------------------------------------------------------------------------
  var counterPage = 0, linePage = 0;

  function render(s) {
    state = s;
    var list = document.getElementById("loket");
    if (list) {
      var previous = {};
      list.querySelectorAll("[data-counter]").forEach(function (li) { previous[li.getAttribute("data-counter")] = li.querySelector(".d-counter-number").textContent; });
      list.textContent = "";
      s.counters.forEach(function (c) {
        if (only.length && only.indexOf(c.number) < 0) { return; }
        var li = el("li", "d-counter");
        li.setAttribute("data-counter", c.number);
        li.appendChild(el("span", "d-counter-name", c.name));
        var current = c.current ? c.current.number : "—";
        li.appendChild(el("span", "d-counter-number", current));
        if (previous[c.number] !== undefined && previous[c.number] !== current && c.current) { li.classList.add("is-new"); }
        list.appendChild(li);
      });
    }
    var recent = document.getElementById("terakhir");
    if (recent) {
      recent.textContent = "";
      s.recent_calls.forEach(function (call) {
        if (only.length && only.indexOf(call.counter) < 0) { return; }
        var li = el("li"); li.appendChild(el("span", "", call.number)); li.appendChild(el("span", "", "Loket " + call.counter)); recent.appendChild(li);
      });
    }
    var waiting = document.getElementById("menunggu");
    if (waiting) {
      waiting.textContent = "";
      s.services.forEach(function (line) {
        if (only.length && lines.indexOf(line.code) < 0) { return; }  // ?loket=: only the lines they serve
        var li = el("li", "d-line");
        li.setAttribute("data-line", line.code);
        li.appendChild(el("span", "d-line-name", line.code + " · " + line.name));
        li.appendChild(el("span", "", String(line.waiting.length)));
        li.appendChild(el("span", "d-line-next"));
        waiting.appendChild(li);
      });
    }
    if (s.running_text) { document.getElementById("teks-berjalan").textContent = s.running_text; }
    fit();
  }

  // The next numbers of each line, as many as fit on its row, then "+N lagi".
  function fillNext() {
    var waiting = document.getElementById("menunggu");
    if (!waiting) { return; }
    var byCode = {};
    state.services.forEach(function (line) { byCode[line.code] = line.waiting; });
    waiting.querySelectorAll(".d-line").forEach(function (li) {
      var numbers = byCode[li.getAttribute("data-line")] || [];
      var next = li.querySelector(".d-line-next");
      var shown = Math.min(numbers.length, 4);
      var draw = function () {
        next.textContent = "";
        if (!numbers.length) { next.appendChild(el("span", "d-none", "Tidak ada")); return; }
        next.appendChild(document.createTextNode(numbers.slice(0, shown).join("  ")));
        if (numbers.length > shown) { next.appendChild(el("span", "d-more", "  +" + (numbers.length - shown) + " lagi")); }
      };
      draw();
      while (shown > 1 && next.scrollWidth > next.clientWidth + 1) { shown -= 1; draw(); }
    });
  }

  // Items of a list split into pages that fit its height; shows page `index` (wrapped); returns the count.
  function pageList(list, index) {
    var items = Array.prototype.slice.call(list.children);
    items.forEach(function (li) { li.hidden = false; });
    var room = list.clientHeight, pages = [[]], used = 0;
    items.forEach(function (li) {
      var h = li.getBoundingClientRect().height;
      if (used + h > room + 0.5 && pages[pages.length - 1].length) { pages.push([]); used = 0; }
      pages[pages.length - 1].push(li); used += h;
    });
    var shown = pages[index % pages.length];
    items.forEach(function (li) { li.hidden = shown.indexOf(li) < 0; });
    return pages.length;
  }

  // The grid for n cards in w x h: columns and rows whose number font (min of 50% of the card's height,
  // 26% of its width, as display.css has it) is largest.
  function bestGrid(n, w, h, gap) {
    var best = null;
    for (var cols = 1; cols <= n; cols++) {
      var rows = Math.ceil(n / cols);
      var cw = (w - (cols - 1) * gap) / cols, ch = (h - (rows - 1) * gap) / rows;
      var font = Math.min(0.5 * ch, 0.26 * cw);
      if (!best || font > best.font) { best = { cols: cols, rows: rows, font: font }; }
    }
    return best;
  }

  function fitCounters() {
    var list = document.getElementById("loket");
    if (!list) { return; }
    var cards = Array.prototype.slice.call(list.children);
    var mark = document.getElementById("halaman-loket");
    var n = Math.max(cards.length, 1);
    var gap = parseFloat(getComputedStyle(list).rowGap) || 0;
    var floor = MIN_NUMBER * Math.min(window.innerWidth, window.innerHeight);
    mark.hidden = true;
    var area = list.getBoundingClientRect();
    var grid = bestGrid(n, area.width, area.height, gap), perPage = n, pages = 1;
    if (grid.font < floor) {
      // Too many to read: show them in turns. The page mark takes a row of its own, so measure without it.
      mark.hidden = false; mark.textContent = "1/2";
      area = list.getBoundingClientRect();
      for (perPage = n - 1; perPage > 1; perPage--) {
        if (bestGrid(perPage, area.width, area.height, gap).font >= floor) { break; }
      }
      pages = Math.ceil(n / perPage);
      perPage = Math.ceil(n / pages);  // as even as can be: 40 in two pages of 20, not 36 and 4
      grid = bestGrid(perPage, area.width, area.height, gap);
      counterPage = counterPage % pages;
      mark.textContent = "Loket " + (counterPage + 1) + "/" + pages;
    } else {
      counterPage = 0;
    }
    list.style.setProperty("--cols", grid.cols);
    list.style.setProperty("--rows", grid.rows);
    cards.forEach(function (li, i) { li.hidden = Math.floor(i / perPage) !== counterPage; });
    body.setAttribute("data-counter-pages", pages);
  }

  function fitLines() {
    var waiting = document.getElementById("menunggu");
    if (!waiting) { return; }
    // Every line shown while its numbers are measured: one hidden on another page measures 0 wide.
    Array.prototype.forEach.call(waiting.children, function (li) { li.hidden = false; });
    fillNext();
    var pages = pageList(waiting, linePage);
    linePage = linePage % pages;
    document.getElementById("halaman-menunggu").textContent = pages > 1 ? (linePage + 1) + "/" + pages : "";
    var recent = document.getElementById("terakhir");
    pageList(recent, 0);  // only the newest calls that fit
  }

  function fit() {
    fitCounters();
    fitLines();
    body.setAttribute("data-fitted", String(Date.now()));
  }

  setInterval(function () { counterPage += 1; linePage += 1; fit(); }, PAGE_SECONDS * 1000);
  var resizeTimer = null;
  window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(fit, 100); });

  // The office's clock, whatever zone the TV was set to.
  var clock = new Intl.DateTimeFormat("id-ID", { timeZone: body.getAttribute("data-timezone") || undefined, hour: "2-digit", minute: "2-digit" });
  function tick() { document.getElementById("jam").textContent = clock.format(new Date()); }
  tick(); setInterval(tick, 10000);

  // --- settings overlay: the "Pengaturan" button, or the key S (a remote's arrows and OK reach it) ------
  var dialog = document.getElementById("pengaturan");
  function openSettings() { if (!dialog.open) { showSound(); dialog.showModal(); } }
  document.getElementById("buka-pengaturan").addEventListener("click", openSettings);
  document.getElementById("tutup-pengaturan").addEventListener("click", function () { dialog.close(); });
  var ARROWS = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"];
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    if (dialog.open) {
      // A remote has arrows and OK, no Tab: up and down move between the overlay's controls.
      var tag = document.activeElement ? document.activeElement.tagName : "";
      if ((event.key === "ArrowDown" || event.key === "ArrowUp") && tag !== "SELECT") {
        var controls = Array.prototype.slice.call(dialog.querySelectorAll("button, select, input:not([type=hidden])"));
        var at = controls.indexOf(document.activeElement);
        var next = controls[(at + (event.key === "ArrowDown" ? 1 : controls.length - 1)) % controls.length];
        if (next) { event.preventDefault(); next.focus(); }
      }
      return;
    }
    if (event.key === "s" || event.key === "S" || event.key === "ContextMenu") { event.preventDefault(); openSettings(); return; }
    // Nothing focused yet: a remote's first arrow lands on the settings button (OK then opens it).
    if (ARROWS.indexOf(event.key) >= 0 && (!document.activeElement || document.activeElement === body)) {
      event.preventDefault(); document.getElementById("buka-pengaturan").focus();
    }
  });

  // A patch applied to a state: its keys replace the state's; services_changed and counters_changed replace the
  // lines (by code) and counters (by id) they name.
  function patched(base, patch) {
    var next = {};
    Object.keys(base).forEach(function (key) { next[key] = base[key]; });
    Object.keys(patch).forEach(function (key) {
      if (key === "base") { return; }
      var ident = { services_changed: "code", counters_changed: "id" }[key];
      if (!ident) { next[key] = patch[key]; return; }
      var listKey = key === "services_changed" ? "services" : "counters";
      var byIdent = {};
      patch[key].forEach(function (item) { byIdent[item[ident]] = item; });
      next[listKey] = next[listKey].map(function (item) { return byIdent[item[ident]] || item; });
    });
    return next;
  }

  render(state);
  catchUp(state);

  if (!window.io) { return; }
  // After a restart, try again every 0.5 to 2 s (the client's defaults reach 5 s): back within
  // seconds of the server (docs/realtime.md, "Restarts").
  var socket = window.io("/antrian", { reconnectionDelay: 500, reconnectionDelayMax: 2000 });
  // "patches": a `state` that changes little comes as a patch on the version this display has (docs/realtime.md).
  socket.on("connect", function () { socket.emit("join", { unit: unit, patches: true }); });
  socket.on("snapshot", function (s) { version = s.version; render(s); catchUp(s); body.setAttribute("data-live", String(s.version)); });
  socket.on("state", function (s) {
    if (s.version <= version) { return; }
    if (s.base === undefined) { version = s.version; render(s); return; }  // a whole state
    if (s.base !== version) { socket.emit("join", { unit: unit, patches: true }); return; }  // behind: ask for it all
    version = s.version;
    render(patched(state, s));
  });
  socket.on("called", function (call) {
    if (call.version > version + 1) { socket.emit("join", { unit: unit, patches: true }); }  // behind: the whole state, staying on patches
    if (!call.counter || (only.length && only.indexOf(call.counter.number) < 0)) { return; }
    var at = call.called_at ? Date.parse(call.called_at) : serverNow();
    announce({ number: call.number, counter: call.counter.number, counterName: call.counter.name, count: call.call_count, at: at });
  });
})();
