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
// "Select all" in each group of a list of checkboxes (department help: one group per
// department): ticks or clears every row of its group that may be ticked, and shows
// whether all, some or none are.
document.querySelectorAll(".js-select-group").forEach(function (all) {
  var group = all.closest("tbody");
  var rows = Array.from(group.querySelectorAll("input[type=checkbox]:not(.js-select-group)"))
    .filter(function (box) { return !box.disabled; });
  var label = all.closest("label");
  if (!rows.length) { return; }
  function show() {
    var ticked = rows.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === rows.length;
    all.indeterminate = ticked > 0 && ticked < rows.length;
  }
  all.addEventListener("change", function () {
    rows.forEach(function (box) { box.checked = all.checked; });
    show();
  });
  rows.forEach(function (box) { box.addEventListener("change", show); });
  show();
  if (label) { label.hidden = false; }
});

// The header's menus (<details>): one open at a time; a click elsewhere or Escape closes them.
(function () {
  var menus = Array.prototype.slice.call(document.querySelectorAll(".js-menu"));
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (!menu.open) return;
      menus.forEach(function (other) { if (other !== menu) other.open = false; });
    });
  });
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) menu.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus.forEach(function (menu) {
      if (!menu.open) return;
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
})();
