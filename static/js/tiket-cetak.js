/* Ticket slip: print at once; at a kiosk, go back to the buttons for the next visitor. */
(function () {
  "use strict";
  var back = document.body.getAttribute("data-kiosk-return");
  window.addEventListener("load", function () {
    if (back) { window.print(); }
  });
  if (back) { window.setTimeout(function () { window.location.assign(back); }, 8000); }
})();
