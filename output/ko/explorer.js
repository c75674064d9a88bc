/* The σ explorer with JavaScript (explorer.html): a range slider over the σ radios, and the chosen
   frame kept in the address (#ID?std=0.1&act=tanh), so a position can be linked and is restored
   on load. The radios and explorer.css already show the chosen frame without this script; it only
   drives the same radios. A file of the site (not inline), it works from file://. */
(function () {
  "use strict";

  function radios(explorer, attribute) {
    return Array.prototype.slice.call(explorer.querySelectorAll("input[" + attribute + "]"));
  }

  function checkedOf(list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].checked) { return list[i]; }
    }
    return list[0];
  }

  /* "#ID?std=0.1&act=tanh" → { std: "0.1", act: "tanh" } when ID is this explorer's. */
  function wanted(id) {
    var hash = decodeURIComponent(location.hash.slice(1));
    var at = hash.indexOf("?");
    if (at < 0 || hash.slice(0, at) !== id) { return null; }
    var found = {};
    hash.slice(at + 1).split("&").forEach(function (pair) {
      var parts = pair.split("=");
      found[parts[0]] = parts.slice(1).join("=");
    });
    return found;
  }

  function setUp(explorer) {
    var stops = radios(explorer, "data-stop");
    var activations = radios(explorer, "data-act");
    var slider = explorer.querySelector(".explorer-slider input");
    if (!stops.length || !activations.length || !slider) { return; }

    function showSlider() {
      var stop = checkedOf(stops);
      slider.value = stop.getAttribute("data-stop");
      slider.setAttribute("aria-valuetext", stop.getAttribute("data-valuetext"));
    }

    function record() {
      var address = "#" + explorer.id + "?std=" + checkedOf(stops).value +
        "&act=" + checkedOf(activations).value;
      history.replaceState(null, "", address);
    }

    slider.addEventListener("input", function () {
      stops[Number(slider.value)].checked = true;
      showSlider();
      record();
    });
    explorer.addEventListener("change", function (event) {
      if (event.target.type === "radio") {
        showSlider();
        record();
      }
    });

    var choice = wanted(explorer.id);
    if (choice) {
      stops.forEach(function (radio) {
        if (radio.value === choice.std ||
            Number(radio.getAttribute("data-std")) === Number(choice.std)) {
          radio.checked = true;
        }
      });
      activations.forEach(function (radio) {
        if (radio.value === choice.act) { radio.checked = true; }
      });
    }
    showSlider();
    slider.parentNode.hidden = false;
    if (choice) {
      /* Once the page is laid out in full (fonts, formulas), so the explorer stays in view. */
      var scroll = function () { explorer.scrollIntoView(); };
      if (document.readyState === "complete") { scroll(); } else { window.addEventListener("load", scroll); }
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".explorer"), setUp);
})();
