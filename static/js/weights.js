// Version forms: the weights' running sum, and only the settings of the chosen grading.
(function () {
  "use strict";
  var inputs = document.querySelectorAll(".weight-input");
  var sum = document.querySelector(".js-weight-sum");
  function showSum() {
    var total = 0;
    inputs.forEach(function (input) { total += Math.round((parseFloat(input.value) || 0) * 100); });
    sum.textContent = (total / 100).toFixed(2);
    sum.classList.toggle("sum-off", total !== 10000);
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
