// Draws the static plotly figures of a page (plotly.js is loaded once, before this file).
// window.dlcFigures counts the figures drawn and the errors, for the site's browser test.
window.dlcFigures = {drawn: 0, failed: []};
window.dlcPlot = function (id, data, layout, config) {
  const draw = () => {
    const div = document.getElementById(id);
    if (!div) return;
    window.Plotly.newPlot(div, data, layout, config).then(
      () => { window.dlcFigures.drawn += 1; },
      (error) => { window.dlcFigures.failed.push(id + ": " + error); console.error(error); });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
};
