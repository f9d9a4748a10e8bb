/* The owner's pages: + and − beside a quantity add or take away one step of its unit (a
   piece, or 0,5 kg); "Tambah" moves a found product into the order; when the connection drops
   while a form is being sent, say so: sending again is safe (the form's Idempotency-Key makes
   the server do it once). */
(function () {
  "use strict";
  function num(text) {
    var t = String(text || "0").trim();
    if (t.indexOf(",") >= 0) t = t.replace(/\./g, "").replace(",", ".");
    var n = parseFloat(t); return isNaN(n) ? 0 : n;
  }
  function show(n) { return String(Math.round(n * 1000) / 1000).replace(".", ","); }
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-step]");
    if (b) {
      var input = document.getElementById(b.getAttribute("data-for"));
      var next = num(input.value) + parseFloat(b.getAttribute("data-step"));
      input.value = show(Math.max(0, next));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var add = e.target.closest("[data-add]");
    if (add) {
      var row = add.closest("li");
      add.remove();
      document.getElementById("lines").appendChild(row);
      row.querySelector("input").focus();
    }
  });
  function net(on) { var el = document.getElementById("net"); if (el) el.className = "net notice warn" + (on ? " on" : ""); }
  document.addEventListener("htmx:sendError", function () { net(true); });
  document.addEventListener("htmx:timeout", function () { net(true); });
  document.addEventListener("htmx:afterRequest", function (e) { if (e.detail.successful || e.detail.xhr.status) net(false); });
})();
