// Keeps a broadcast's progress figures live: polls the desk every three seconds while the
// broadcast is open, and updates the numbers in place (an aria-live region announces them).
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  function set(name, value) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (el && el.textContent !== String(value)) { el.textContent = String(value); }
  }
  function tick() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        set("status", p.status); set("sent", p.sent); set("failed", p.failed);
        set("remaining", p.remaining); set("finish", p.finish);
        var bar = box.querySelector('[data-field="bar"]');
        if (bar) {
          var done = p.total ? (100 * (p.sent + p.failed) / p.total) : 0;
          bar.setAttribute("width", done.toFixed(1));
        }
        if (p.open) { window.setTimeout(tick, 3000); }
      })
      .catch(function () { window.setTimeout(tick, 10000); });
  }
  window.setTimeout(tick, 3000);
})();
