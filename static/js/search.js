// The header's station search as a combobox: suggestions as you type (name, pinyin,
// initials or code), chosen with the arrow keys and Enter or by a click. Without this
// script the form still works: it opens the results page.
(function () {
  var input = document.querySelector(".js-station-search");
  if (!input || !window.fetch) { return; }
  var form = input.form;
  var list = document.getElementById(input.getAttribute("aria-controls"));
  var status = form.querySelector(".js-search-status");
  var options = [];
  var active = -1;
  var asked = 0;
  var timer = null;

  function say(count, more) {
    var text = count === 0 ? form.dataset.foundNone
      : count === 1 ? form.dataset.foundOne
      : form.dataset.foundMany.replace("%(count)s", String(count));
    if (more) { text += "; " + form.dataset.foundMore; }
    status.textContent = text;
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function mark(index) {
    active = index;
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(data) {
    list.textContent = "";
    options = data.stations.map(function (station, i) {
      var option = document.createElement("li");
      option.id = "station-search-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.url = station.url;
      var name = document.createElement("span");
      name.className = "suggestion-name";
      name.textContent = station.name;
      var where = document.createElement("span");
      where.className = "suggestion-where";
      where.textContent = station.code + " · " + station.county +
        (station.active ? "" : " · " + form.dataset.switchedOff);
      option.appendChild(name);
      option.appendChild(where);
      // mousedown: choose before the input loses focus (which closes the list).
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        window.location.href = station.url;
      });
      list.appendChild(option);
      return option;
    });
    active = -1;
    list.hidden = options.length === 0;
    input.setAttribute("aria-expanded", options.length ? "true" : "false");
    say(options.length, data.more);
  }

  function suggest() {
    var query = input.value.trim();
    if (!query) { close(); list.textContent = ""; options = []; status.textContent = ""; return; }
    var ticket = ++asked;
    fetch(form.dataset.suggestUrl + "?" + new URLSearchParams({ q: query }), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (data) {
      if (ticket === asked) { show(data); }  // an answer to an older query is dropped
    }).catch(close);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) { return; }
      event.preventDefault();
      if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      var count = options.length;
      if (event.key === "ArrowDown") {
        mark(active + 1 >= count ? 0 : active + 1);
      } else {
        mark(active - 1 < 0 ? count - 1 : active - 1);
      }
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0) {
        event.preventDefault();
        window.location.href = options[active].dataset.url;
      }
      // Otherwise the form is sent: the results page (one station found: its page).
    } else if (event.key === "Escape") {
      if (!list.hidden) { event.preventDefault(); close(); }
    }
  });

  input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  input.addEventListener("focus", function () {
    if (options.length && input.value.trim()) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  });
})();
