// "Select all shown" for the hours queue: added only where scripts run, so the page never
// offers a control that does nothing. The label comes from the form (the person's language).
(function () {
  "use strict";
  var form = document.getElementById("approve");
  if (!form) { return; }
  var boxes = form.querySelectorAll('input[type="checkbox"][name="ids"]');
  if (!boxes.length) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = form.getAttribute("data-select-all");
  button.addEventListener("click", function () {
    var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
    Array.prototype.forEach.call(boxes, function (b) { b.checked = !all; });
  });
  var p = document.createElement("p");
  p.appendChild(button);
  form.insertBefore(p, form.querySelector("table"));
})();
