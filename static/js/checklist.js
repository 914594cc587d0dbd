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
        // The words come from the page (data-all, data-some), in the page's language.
        var words = ticked.length === boxes.length ? counter.getAttribute("data-all") : counter.getAttribute("data-some");
        counter.textContent = (words || "%(done)s / %(total)s")
          .replace("%(done)s", ticked.length).replace("%(total)s", boxes.length);
      }
    }
    list.addEventListener("change", update);
    if (saved.length) { update(); }
  });
})();
