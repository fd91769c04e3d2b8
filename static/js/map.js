// The five-colour map: draw the month's figure, open a station on click, and
// play the months in order. Every control also works without this script.
(function () {
  var element = document.querySelector(".js-station-map");
  if (!element || !window.Plotly) { return; }
  var config = {
    displayModeBar: false,
    responsive: true,
    scrollZoom: false,
    // plotly fetches <topojsonURL>world_110m.json even with the base map hidden:
    // point it at our own empty topology so nothing leaves the intranet.
    topojsonURL: element.dataset.topojson
  };
  var periods = (element.dataset.periods || "").split(",").filter(Boolean).reverse();
  var cache = {};
  var heading = document.querySelector(".js-map-period");
  var current = heading ? heading.textContent.trim() : periods[periods.length - 1];

  // data-paint-ms: how long plotly took to draw the figure (with fetching its shapes
  // the first time); the paint benchmark (make bench-paint) reads it.
  function draw(figure) {
    var started = window.performance.now();
    return window.Plotly.react(element, figure.data, figure.layout, config).then(function () {
      element.dataset.paintMs = String(Math.round(window.performance.now() - started));
      element.dataset.ready = "true";
    });
  }

  function monthUrl(period) {
    var query = new URLSearchParams({ period: period });
    if (element.dataset.county) { query.set("county", element.dataset.county); }
    return query;
  }

  function fetchMonth(period) {
    if (!cache[period]) {
      cache[period] = fetch(element.dataset.monthUrl + "?" + monthUrl(period), {
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      });
    }
    return cache[period];
  }

  function showMonth(data) {
    current = data.period;
    if (heading) { heading.textContent = data.period; }
    var select = document.getElementById("period-select");
    if (select) { select.value = data.period; }
    document.querySelectorAll("[data-count-for]").forEach(function (node) {
      var text = data.count_texts[node.dataset.countFor];
      if (text) { node.textContent = text; }
    });
    var note = document.querySelector(".js-map-uncertain");
    if (note) {
      note.textContent = data.uncertain_note || "";
      note.hidden = !data.uncertain_note;
    }
    var mode = document.querySelector(".js-map-mode");
    if (mode) {
      mode.textContent = data.mode_note || "";
      mode.hidden = !data.mode_note;
    }
    var provisional = document.querySelector(".js-map-provisional");
    if (provisional) {
      provisional.hidden = !data.provisional;
    }
    var regrade = document.querySelector(".js-map-regrade");
    if (regrade) {
      regrade.textContent = data.regrade_note || "";
      regrade.hidden = !data.regrade_note;
    }
    document.querySelectorAll(".period-stepper .step").forEach(function (link) {
      var previous = link.classList.contains("step-previous");
      var target = previous ? data.previous : data.next;
      link.classList.toggle("disabled", !target);
      if (target) {
        link.href = "?" + monthUrl(target);
        link.removeAttribute("aria-disabled");
      } else {
        link.removeAttribute("href");
        link.setAttribute("aria-disabled", "true");
      }
      var label = target || "";
      link.textContent = previous ? ("‹ " + label).trim() : (label + " ›").trim();
    });
    var slider = document.querySelector(".js-month-slider");
    if (slider && periods.indexOf(data.period) >= 0) {
      slider.value = String(periods.indexOf(data.period));
      slider.setAttribute("aria-valuetext", data.period);
    }
    showOwn(data.own_month);
    history.replaceState(null, "", "?" + monthUrl(data.period));
    return draw(data.figure);
  }

  // "梅林供电所 本月：[绿 · 稍差] 第 46 名（共 60 个），上月：黄 · 落后" for the month shown.
  function showOwn(own) {
    var line = document.querySelector(".js-map-own");
    if (!line) { return; }
    line.hidden = !own;
    if (!own) { return; }
    line.querySelector(".js-own-lead").textContent = own.lead;
    var badge = line.querySelector(".js-own-grade");
    badge.className = "grade-badge grade-" + own.grade + " js-own-grade";
    badge.textContent = own.grade_label;
    line.querySelector(".js-own-rest").textContent = own.rest;
  }

  // The map page embeds its figure; the widget fetches its map (cached by the browser,
  // revalidated by ETag) with the viewer's own outline beside the shared figure.
  function initialFigure() {
    if (!element.dataset.mapUrl) {
      return Promise.resolve(JSON.parse(document.getElementById(element.dataset.figure).textContent));
    }
    return fetch(element.dataset.mapUrl, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (data) {
      if (data.own) { data.figure.data.push(data.own); }
      return data.figure;
    });
  }

  // The map as a PNG, drawn by plotly in the browser (nothing leaves it): the figure at a
  // fixed size with the page's title (company, month) above and the legend with its counts
  // below, so the image says what it shows.
  var IMAGE = { width: 1200, height: 960 };
  function imageFigure() {
    var title = document.querySelector("h1");
    var items = Array.from(document.querySelectorAll(".legend li"));
    var legend = items.map(function (item, index) {
      var badge = item.querySelector(".grade-badge");
      var count = item.querySelector(".legend-count");
      return {
        text: (badge ? badge.textContent.trim() : "") + "  " + (count ? count.textContent.trim() : ""),
        x: (index + 0.5) / items.length, xref: "paper", xanchor: "center",
        y: 0, yref: "paper", yanchor: "top", yshift: -12, showarrow: false,
        bgcolor: badge ? window.getComputedStyle(badge).backgroundColor : "#fff",
        bordercolor: "#555", borderwidth: 1, borderpad: 5,
        font: { size: 15, color: badge ? window.getComputedStyle(badge).color : "#1f2328" }
      };
    });
    var heading = title ? title.textContent.replace(/\s+/g, " ").trim() : "";
    // A provisional month says so on the image too: a shared picture must not look final.
    var provisional = document.querySelector(".js-map-provisional");
    if (provisional && !provisional.hidden) {
      var mark = provisional.querySelector(".provisional-badge");
      heading += " · " + (mark ? mark.textContent.trim() : "");
    }
    var layout = Object.assign({}, element.layout, {
      title: { text: heading, x: 0.02, xanchor: "left", font: { size: 22 } },
      margin: { l: 10, r: 10, t: 60, b: 70 },
      annotations: (element.layout.annotations || []).concat(legend),
      width: IMAGE.width, height: IMAGE.height, paper_bgcolor: "#fff"
    });
    return { data: element.data, layout: layout };
  }
  // plotly draws the figure as SVG (a data: URL, which the Content-Security-Policy allows
  // as an image, where plotly's own PNG export uses a blob: one), painted on a canvas here.
  function loadImage(url) {
    return new Promise(function (resolve, reject) {
      var image = new Image();
      image.onload = function () { resolve(image); };
      image.onerror = function () { reject(new Error("the map image did not load")); };
      image.src = url;
    });
  }
  function downloadImage(button) {
    button.disabled = true;
    var name = (element.dataset.imageName || "station-map") + "-" + current + ".png";
    return window.Plotly.toImage(imageFigure(), {
      format: "svg", width: IMAGE.width, height: IMAGE.height
    }).then(loadImage).then(function (image) {
      var canvas = document.createElement("canvas");
      canvas.width = IMAGE.width;
      canvas.height = IMAGE.height;
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, IMAGE.width, IMAGE.height);
      context.drawImage(image, 0, 0, IMAGE.width, IMAGE.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/png"); });
    }).then(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
    }).finally(function () { button.disabled = false; });
  }
  // Printed from the page itself (not the print view): draw the map at the paper's width.
  window.addEventListener("beforeprint", function () {
    if (element.dataset.ready === "true") { window.Plotly.relayout(element, { width: 680, height: 540 }); }
  });
  window.addEventListener("afterprint", function () {
    if (element.dataset.ready === "true") { window.Plotly.relayout(element, { width: null, height: null, autosize: true }); }
  });

  initialFigure().then(draw).then(function () {
    // The print view's "Print" button, once the map is drawn.
    document.querySelectorAll(".map-print .js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    var imageButton = document.querySelector(".js-map-image");
    if (imageButton) {
      imageButton.hidden = false;
      imageButton.addEventListener("click", function () { downloadImage(imageButton); });
    }
    element.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      var url = point && point.customdata && point.customdata[6];
      if (!url) { return; }
      var target = new URL(url, window.location.href);
      target.searchParams.set("period", current);
      // A county ("?county=…") opens in the same view; in the homepage widget a station
      // page opens in the whole window.
      if (url.charAt(0) !== "?" && element.dataset.target === "_top" && window.top) {
        window.top.location.href = target.href;
      } else { window.location.href = target.href; }
    });
  });

  // The months as a slider: dragging it (or its arrow keys) shows the month under it;
  // only the last month asked for is drawn when answers come back out of order.
  var slider = document.querySelector(".js-month-slider");
  var sliderBox = document.querySelector(".js-month-slider-box");
  if (slider && sliderBox && periods.length > 1) {
    var wanted = null;
    slider.max = String(periods.length - 1);
    slider.value = String(Math.max(periods.indexOf(current), 0));
    slider.setAttribute("aria-valuetext", current);
    sliderBox.hidden = false;
    slider.addEventListener("input", function () {
      var period = periods[Number(slider.value)];
      slider.setAttribute("aria-valuetext", period);
      wanted = period;
      fetchMonth(period).then(function (data) {
        if (wanted === period) { return showMonth(data); }
      }).catch(function () {});
    });
  }

  var play = document.querySelector(".js-map-play");
  if (!play || periods.length < 2) { return; }
  play.hidden = false;
  var timer = null;

  function stop() {
    window.clearTimeout(timer);
    timer = null;
    play.textContent = "▶ " + play.dataset.play;
    play.setAttribute("aria-pressed", "false");
  }

  function step(index) {
    if (index >= periods.length) { stop(); return; }
    fetchMonth(periods[index]).then(showMonth).then(function () {
      if (index + 1 < periods.length) { fetchMonth(periods[index + 1]); }
      if (timer !== null) { timer = window.setTimeout(function () { step(index + 1); }, 1200); }
    }).catch(stop);
  }

  play.addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    var start = periods.indexOf(current);
    start = start < 0 || start === periods.length - 1 ? 0 : start + 1;
    play.textContent = "❚❚ " + play.dataset.pause;
    play.setAttribute("aria-pressed", "true");
    timer = 0;
    step(start);
  });
})();
