// Version forms: the weights' running total and each one's share of it, and only the
// settings of the chosen grading.
(function () {
  "use strict";
  var inputs = document.querySelectorAll(".weight-input");
  var sum = document.querySelector(".js-weight-sum");
  function hundredths(input) {
    var value = parseFloat(input.value);
    return isFinite(value) && value > 0 ? Math.round(value * 100) : 0;
  }
  function showSum() {
    var total = 0;
    inputs.forEach(function (input) { total += hundredths(input); });
    sum.textContent = (total / 100).toFixed(2);
    sum.classList.toggle("sum-off", total === 0);
    inputs.forEach(function (input) {
      var share = input.parentNode.querySelector(".js-weight-share");
      if (share) {
        share.textContent = total ? "(" + (hundredths(input) * 100 / total).toFixed(1) + " %)" : "";
      }
    });
  }
  if (sum && inputs.length) {
    inputs.forEach(function (input) { input.addEventListener("input", showSum); });
    showSum();
  }
  var choices = document.querySelectorAll("input[name=grading]");
  function showGrading() {
    var chosen = document.querySelector("input[name=grading]:checked");
    document.querySelectorAll(".js-grading-part").forEach(function (part) {
      part.hidden = !chosen || part.dataset.grading !== chosen.value;
    });
  }
  if (choices.length) {
    choices.forEach(function (choice) { choice.addEventListener("change", showGrading); });
    showGrading();
  }
})();
