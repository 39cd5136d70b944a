// Draws every Vega-Lite chart on the page from its JSON spec (the table beside it holds the
// same figures for screen readers and print). Loaded as a file: no inline script.
document.querySelectorAll("[data-vega-spec]").forEach(function (node) {
  var spec = JSON.parse(document.getElementById(node.dataset.vegaSpec).textContent);
  vegaEmbed(node, spec, { actions: false, renderer: "svg" }).catch(function (error) {
    node.textContent = "The chart could not be drawn; the table shows the same figures.";
    console.error(error);
  });
});
