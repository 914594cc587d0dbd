/* Counter panel: keyboard shortcuts, and a refresh of the panel whenever the queue changes. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) { return; }
    var button = document.querySelector('#panel [data-key="' + event.key.toUpperCase() + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });
  var panel = document.getElementById("panel");
  if (!panel || !window.io) { return; }
  // After a restart, try again every 0.5 to 2 s (the client's defaults reach 5 s): back within
  // seconds of the server (docs/realtime.md, "Restarts").
  var socket = window.io("/antrian", { reconnectionDelay: 500, reconnectionDelayMax: 2000 });
  var version = -1;
  socket.on("connect", function () { socket.emit("join", { unit: panel.getAttribute("data-unit") }); });
  function changed(state) {
    if (state.version > version) {
      if (version >= 0) { document.body.dispatchEvent(new CustomEvent("queue-changed")); }
      version = state.version;
    }
  }
  socket.on("snapshot", changed);
  socket.on("state", changed);
})();
