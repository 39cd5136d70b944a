// Trellis's own page behaviour, loaded as a file: the Content-Security-Policy allows no inline
// script and no style="" attribute, so widths computed on the server travel as data attributes
// and are applied here (through the CSSOM, which the policy allows).
htmx.onLoad(function (root) {
  root.querySelectorAll("[data-progress]").forEach(function (bar) {
    var percent = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0));
    bar.style.width = percent + "%";
  });
});
