// Draw each plotly figure whose JSON the page embedded with json_script.
document.querySelectorAll(".js-plotly").forEach(function (element) {
  var source = document.getElementById(element.dataset.figure);
  if (!source || !window.Plotly) { return; }
  var figure = JSON.parse(source.textContent);
  // No mode bar: its tooltips are English-only and selection tools mean nothing
  // on these charts; hovering still shows every value with its grade label.
  window.Plotly.newPlot(element, figure.data, figure.layout, {
    displayModeBar: false,
    responsive: true,
    topojsonURL: element.dataset.topojson || undefined
  });
});
