/* Ticket slip: at a kiosk in browser-printing mode, print at once (silently with Chromium's
   --kiosk-printing), then go back to the buttons for the next visitor, keeping the paper width
   (the return address carries ?lebar=). After ESC/POS printing only the confirmation is shown;
   when the printer did not answer, the ticket stays on screen longer, to be scanned. */
(function () {
  "use strict";
  var body = document.body;
  var back = body.getAttribute("data-kiosk-return");
  if (!back) { return; }
  if (body.hasAttribute("data-print-now")) {
    window.addEventListener("load", function () { window.print(); });
  }
  var seconds = parseInt(body.getAttribute("data-return-after") || "8", 10);
  window.setTimeout(function () { window.location.assign(back); }, seconds * 1000);
})();
