// Trellis's own page behaviour, loaded as a file: the Content-Security-Policy allows no inline
// script and no style="" attribute, so widths computed on the server travel as data attributes
// and are applied here (through the CSSOM, which the policy allows).
htmx.onLoad(function (root) {
  root.querySelectorAll("[data-progress]").forEach(function (bar) {
    var percent = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0));
    bar.style.width = percent + "%";
  });
});

// The import form: only the chosen kind's options (and the server folder, for kinds that read
// one) are shown. Without JavaScript every kind's options show, each in a fieldset named after
// its kind; the server reads only the chosen kind's. Hidden inputs are disabled, so they are
// neither submitted nor reached by the keyboard.
htmx.onLoad(function (root) {
  root.querySelectorAll("select[data-kind-select]").forEach(function (select) {
    var form = select.form;
    function toggle(element, shown) {
      element.hidden = !shown;
      element.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !shown;
      });
    }
    function show() {
      form.querySelectorAll("[data-kind-options]").forEach(function (group) {
        toggle(group, group.dataset.kindOptions === select.value);
      });
      form.querySelectorAll("[data-kind-folders]").forEach(function (folder) {
        toggle(folder, folder.dataset.kindFolders.split(" ").indexOf(select.value) !== -1);
      });
    }
    select.addEventListener("change", show);
    show();
  });
});

// Print buttons (certificates): the Content-Security-Policy allows no inline handler.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest(".js-print") : null;
  if (button) { window.print(); }
});

// A table wider than the screen scrolls inside its box: the box takes the keyboard's focus (so
// arrow keys scroll it, WCAG 2.1.1) and is named after the table's caption or the heading above.
// Checked on load and again when the window narrows (a phone turned, a window resized).
function focusableScrollers(root) {
  root.querySelectorAll(".table-responsive").forEach(function (box) {
    if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) return;
    var caption = box.querySelector("caption");
    var heading = box.previousElementSibling;
    var name = caption ? caption.textContent : heading && /^H[1-6]$/.test(heading.tagName) ? heading.textContent : "Table";
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", name.trim() + " (scrolls sideways)");
  });
}
htmx.onLoad(focusableScrollers);
var resizing = null;
window.addEventListener("resize", function () {
  clearTimeout(resizing);
  resizing = setTimeout(function () { focusableScrollers(document); }, 100);
});
