// The bulletin's "Print" button (browser printing uses the print styles in app.css).
document.querySelectorAll(".js-print").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
