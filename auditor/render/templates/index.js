(function () {
  "use strict";
  var box = document.getElementById("only-failed");
  document.body.setAttribute("data-ready", "1");
  if (!box) { return; }
  box.addEventListener("change", function () {
    Array.prototype.forEach.call(document.querySelectorAll("tr.doc.pass"), function (row) {
      row.hidden = box.checked;
    });
  });
})();
