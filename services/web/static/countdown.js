/* The cut-off countdown. Each [data-countdown-to] element holds an ISO instant; its text
   becomes "2 jam 13 menit lagi" and refreshes every 30 s. The words come from the page
   (data-days, data-hours, data-minutes, data-left, data-passed) so they follow the catalogue.
   Without this script the page still shows the absolute cut-off time. */
(function () {
  "use strict";
  function render(el) {
    var ms = Date.parse(el.getAttribute("data-countdown-to")) - Date.now();
    if (isNaN(ms)) return;
    if (ms <= 0) { el.textContent = el.getAttribute("data-passed"); return; }
    var minutes = Math.floor(ms / 60000);
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    var parts = [];
    if (d) parts.push(d + " " + el.getAttribute("data-days"));
    if (d || h) parts.push(h + " " + el.getAttribute("data-hours"));
    parts.push(m + " " + el.getAttribute("data-minutes"));
    el.textContent = parts.join(" ") + " " + el.getAttribute("data-left");
  }
  function tick() {
    var els = document.querySelectorAll("[data-countdown-to]");
    for (var i = 0; i < els.length; i++) render(els[i]);
  }
  tick();
  setInterval(tick, 30000);
  document.addEventListener("htmx:afterSwap", tick);
})();
