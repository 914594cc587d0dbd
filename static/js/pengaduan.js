/* Complaint form: refuse an oversized or foreign file as soon as it is chosen, before the upload. */
(function () {
  "use strict";
  var form = document.querySelector(".complaint-form");
  if (!form) { return; }
  var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
  var accepted = ["image/jpeg", "image/png", "image/webp", "application/pdf"];
  form.querySelectorAll('input[type="file"]').forEach(function (input) {
    var note = document.createElement("p");
    note.className = "field-error";
    note.setAttribute("role", "alert");
    note.hidden = true;
    input.insertAdjacentElement("afterend", note);
    input.addEventListener("change", function () {
      var problems = [];
      Array.prototype.forEach.call(input.files, function (file) {
        if (file.size > limit) { problems.push(file.name + " lebih besar dari " + Math.floor(limit / 1048576) + " MB."); }
        else if (file.type && accepted.indexOf(file.type) === -1) { problems.push(file.name + " bukan gambar JPEG, PNG, WebP atau PDF."); }
      });
      note.textContent = problems.join(" ") + (problems.length ? " Pilih berkas lain." : "");
      note.hidden = !problems.length;
      if (problems.length) { input.value = ""; }
    });
  });
})();
