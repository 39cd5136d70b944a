// Draws every Vega-Lite chart on the page from its JSON spec (the table beside it holds the
// same figures for screen readers and print). Loaded as a file: no inline script.
// Content-Security-Policy: `ast: true` makes vega-embed evaluate expressions with its bundled
// interpreter instead of the Function constructor (no 'unsafe-eval'); vega-embed's and the
// tooltip's own styles would be inserted as inline <style> elements, so they are switched off
// here and live in css/trellis.css.
document.querySelectorAll("[data-vega-spec]").forEach(function (node) {
  var spec = JSON.parse(document.getElementById(node.dataset.vegaSpec).textContent);
  var options = {
    actions: false,
    renderer: "svg",
    ast: true,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
  };
  vegaEmbed(node, spec, options).catch(function (error) {
    node.textContent = "The chart could not be drawn; the table shows the same figures.";
    console.error(error);
  });
});
