/* Requirement checklist: remembers ticks on this phone (localStorage) and says how many are ready. */
(function () {
  "use strict";
  document.querySelectorAll("[data-checklist]").forEach(function (list) {
    var key = "loket:syarat:" + list.getAttribute("data-checklist");
    var counter = document.querySelector('[data-checklist-count="' + list.getAttribute("data-checklist") + '"]');
    var boxes = list.querySelectorAll('input[type="checkbox"]');
    var saved = [];
    try { saved = JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { saved = []; }
    boxes.forEach(function (box) { box.checked = saved.indexOf(box.value) !== -1; });

    function update() {
      var ticked = [];
      boxes.forEach(function (box) { if (box.checked) { ticked.push(box.value); } });
      try { localStorage.setItem(key, JSON.stringify(ticked)); } catch (e) { /* private mode: ticks just aren't kept */ }
      if (counter) {
        counter.textContent = ticked.length === boxes.length
          ? "Semua " + boxes.length + " berkas sudah siap."
          : ticked.length + " dari " + boxes.length + " berkas sudah siap.";
      }
    }
    list.addEventListener("change", update);
    if (saved.length) { update(); }
  });
})();
