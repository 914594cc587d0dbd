/* The kiosk: an idempotency key per tap, one request per tap, and the clock.

   The key is a random UUID (version 4) put in the form's hidden "kunci" field when a service is
   touched. If the answer is lost (a timeout) and the browser sends the form again, it sends the
   same key, and the server answers the ticket of the first try instead of a second one
   (security L8). crypto.randomUUID needs a secure context (https), which a kiosk on the office
   network often lacks, so the UUID is built from crypto.getRandomValues. */
(function () {
  "use strict";

  function uuid4() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  var form = document.querySelector("[data-kiosk-form]");
  if (form) {
    var key = form.querySelector("[data-request-key]");
    var sent = false;
    form.addEventListener("submit", function (event) {
      if (sent) { event.preventDefault(); return; }  // a second touch while the first is on its way
      sent = true;
      if (!key.value) { key.value = uuid4(); }
      form.classList.add("is-sending");
    });
    // Back from the slip through the browser's cache: a new visitor, a new tap, a new key.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { sent = false; key.value = ""; form.classList.remove("is-sending"); }
    });
  }

  // The office's clock (its UTC offset from the server), whatever the kiosk computer's time zone.
  var clock = document.querySelector("[data-clock]");
  function tick() {
    var offset = parseInt(clock.getAttribute("data-utc-offset") || "0", 10);
    var now = new Date(Date.now() + offset * 60000);
    clock.textContent = String(now.getUTCHours()).padStart(2, "0") + "." + String(now.getUTCMinutes()).padStart(2, "0");
  }
  if (clock) { window.setInterval(tick, 10000); }

  // Refresh the waiting counts and estimates after a minute in which nobody touched the screen
  // (a visitor who chose a priority and hesitates keeps the choice).
  if (form) {
    var touched = Date.now();
    ["pointerdown", "keydown", "change"].forEach(function (name) {
      document.addEventListener(name, function () { touched = Date.now(); });
    });
    window.setInterval(function () {
      if (!sent && Date.now() - touched >= 60000) { window.location.reload(); }
    }, 5000);
  }
})();
