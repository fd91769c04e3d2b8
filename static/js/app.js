// Small progressive enhancements; every page works without them.
document.querySelectorAll(".js-autosubmit").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
