// Small progressive enhancements; every page works without them.
document.querySelectorAll(".js-autosubmit").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});

// A form that changes something is sent once: its buttons are disabled right after the
// browser has taken the values (the clicked button's name still goes with them).
document.querySelectorAll("form[method=post]").forEach(function (form) {
  form.addEventListener("submit", function () {
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });
});
// Back to a page kept by the browser's cache: its buttons work again.
window.addEventListener("pageshow", function (event) {
  if (!event.persisted) return;
  document.querySelectorAll("form[method=post] button:disabled").forEach(function (button) {
    button.disabled = false;
  });
});
