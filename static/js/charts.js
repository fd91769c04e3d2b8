// Draw each plotly figure whose JSON the page embedded with json_script.
document.querySelectorAll(".js-plotly").forEach(function (element) {
  var source = document.getElementById(element.dataset.figure);
  if (!source || !window.Plotly) { return; }
  var figure = JSON.parse(source.textContent);
  window.Plotly.newPlot(element, figure.data, figure.layout, {
    displaylogo: false,
    responsive: true,
    topojsonURL: element.dataset.topojson || undefined
  });
});
