// How the dashboard's Leaflet map behaves, set up once per page load by the base map's
// script: frontlineMap.setUp(map, options). Served from the app's static folder like Leaflet
// (components/offline_assets.py), so it is cached by the browser and never sent on a rerun.
//
// options: {imagePath, credits: [html], outlinesUrl, broadPane, tileLayer (or null),
//           tilesNote, showAll, showMain}
(function () {
  "use strict";

  function credits(map, options) {
    L.Icon.Default.imagePath = options.imagePath;
    L.control.scale({imperial: false, position: "bottomright"}).addTo(map);
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" target="_blank" rel="noopener">Leaflet</a>');
    options.credits.forEach(function (credit) { map.attributionControl.addAttribution(credit); });
  }

  // The tile server is credited only while one of its tiles is on the map: offline (the tiles
  // fail) or on "Plain", the reader sees outlines from Natural Earth, not the tile server's map.
  // Leaflet would credit the layer as soon as it is added, so the credit is taken out of its
  // hands here.
  function tilesCredit(map, options) {
    var layer = options.tileLayer;
    var credit = layer && layer.getAttribution();
    if (!credit || !map.attributionControl) { return; }
    if (map.hasLayer(layer)) { map.attributionControl.removeAttribution(credit); }
    layer.options.attribution = null;
    var shown = false;
    layer.on("tileload", function () {
      if (shown) { return; }
      shown = true;
      map.attributionControl.addAttribution(credit);
    });
    layer.on("remove", function () {
      if (!shown) { return; }
      shown = false;
      map.attributionControl.removeAttribution(credit);
    });
  }

  // Country outlines in a pane under the tiles (tilePane is 200): tiles that load cover them,
  // missing tiles leave them showing. The sea is the container's own colour.
  function outlines(map, options) {
    map.getContainer().style.background = "#c9dde6";
    var pane = map.createPane("frontline-outlines");
    pane.style.zIndex = 150;
    pane.style.pointerEvents = "none";
    // The file is fetched at once but drawn when the page is idle: the places come first.
    var whenIdle = window.requestIdleCallback
      ? function (work) { window.requestIdleCallback(work, {timeout: 1500}); }
      : function (work) { setTimeout(work, 200); };
    fetch(options.outlinesUrl).then(function (answer) {
      if (!answer.ok) { throw new Error(String(answer.status)); }
      return answer.json();
    }).then(function (collection) {
      whenIdle(function () {
        L.geoJSON(collection, {
          pane: "frontline-outlines",
          interactive: false,
          renderer: L.canvas({pane: "frontline-outlines"}),
          style: function (feature) {
            var home = feature.properties.a2 === "UA";
            return {color: home ? "#37474f" : "#8d8d8d", weight: home ? 1.6 : 0.8,
                    fillColor: home ? "#f7f3e3" : "#efece4", fillOpacity: 1};
          }
        }).addTo(map);
        map.getContainer().setAttribute("data-outlines", "loaded");
      });
    }).catch(function () {
      map.getContainer().setAttribute("data-outlines", "failed");
    });
  }

  function baseLayers(map, options) {
    if (!options.tileLayer) { return; }
    L.control.layers({
      "Map tiles": options.tileLayer,
      "Plain (outlines only)": L.layerGroup()
    }, {}, {position: "topleft", collapsed: true}).addTo(map);
  }

  // The page scrolls over the map and Ctrl/Cmd + wheel zooms (Leaflet.GestureHandling); after
  // a click on the map the wheel alone zooms, until the pointer leaves the map.
  function gestures(map) {
    if (!map.gestureHandling) { return; }
    map.on("click", function () {
      if (map.gestureHandling.enabled()) { map.gestureHandling.disable(); }
    });
    map.getContainer().addEventListener("mouseleave", function () {
      if (!map.gestureHandling.enabled()) { map.gestureHandling.enable(); }
    });
    // The plugin turns wheel zoom back on only while it handles a Ctrl/Cmd wheel event, too
    // late for Leaflet to see that first event: turn it on before, in the capture phase.
    map.getContainer().addEventListener("wheel", function (event) {
      if ((event.ctrlKey || event.metaKey) && !map.scrollWheelZoom.enabled()) {
        map.scrollWheelZoom.enable();
      }
    }, {capture: true});
  }

  // "Show all places" fits every place layer on the map (flagged frontlinePlaces); pressed
  // again, it goes back to where the reader was.
  function showAll(map, options) {
    var ShowAll = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function () {
        var button = L.DomUtil.create("button", "frontline-show-all leaflet-bar");
        button.type = "button";
        button.textContent = options.showAll;
        button.style.cssText = "background:#fff;padding:3px 7px;font:12px/1.4 sans-serif;"
          + "cursor:pointer;color:#222";
        var saved = null;
        L.DomEvent.disableClickPropagation(button);
        L.DomEvent.on(button, "click", function () {
          if (saved) {
            map.setView(saved.center, saved.zoom);
            saved = null;
            button.textContent = options.showAll;
            return;
          }
          var bounds = L.latLngBounds([]);
          map.eachLayer(function (layer) {
            if (layer.options && layer.options.frontlinePlaces && layer.getBounds) {
              var more = layer.getBounds();
              if (more.isValid()) { bounds.extend(more); }
            }
          });
          if (!bounds.isValid()) { return; }
          saved = {center: map.getCenter(), zoom: map.getZoom()};
          map.fitBounds(bounds, {padding: [30, 30], maxZoom: 9});
          button.textContent = options.showMain;
        });
        return button;
      }
    });
    new ShowAll().addTo(map);
  }

  // A cluster's tooltip names the places it holds, as text (never markup). A name that is no
  // place also tells streamlit-folium's click report that no single place was clicked.
  function namedClusters() {
    if (!L.MarkerCluster || L.MarkerCluster.prototype.frontlineNamed) { return; }
    L.MarkerCluster.prototype.frontlineNamed = true;
    var onAdd = L.MarkerCluster.prototype.onAdd;
    L.MarkerCluster.prototype.onAdd = function (target) {
      var names = this.getAllChildMarkers().map(function (child) { return child.options.title; });
      var label = document.createElement("span");
      label.textContent = names.sort().join(", ") + " (click to spread)";
      this.bindTooltip(label, {direction: "top"});
      return onAdd.call(this, target);
    };
  }

  // An open popup is moved clear of every control (legend, notes, buttons) and into the map;
  // if no move clears it, the legend folds first.
  function moved(rect, dx, dy) {
    return {left: rect.left + dx, right: rect.right + dx, top: rect.top + dy,
            bottom: rect.bottom + dy};
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  function clearShift(popup, frame, obstacles, margin) {
    var base = [0, 0];
    if (popup.top < frame.top + margin) { base[1] = frame.top + margin - popup.top; }
    if (popup.bottom > frame.bottom - margin) { base[1] = frame.bottom - margin - popup.bottom; }
    if (popup.left < frame.left + margin) { base[0] = frame.left + margin - popup.left; }
    if (popup.right > frame.right - margin) { base[0] = frame.right - margin - popup.right; }
    var inFrame = moved(popup, base[0], base[1]);
    var candidates = [base];
    obstacles.forEach(function (o) {
      candidates.push([base[0], base[1] + o.bottom + margin - inFrame.top]);
      candidates.push([base[0], base[1] + o.top - margin - inFrame.bottom]);
      candidates.push([base[0] + o.left - margin - inFrame.right, base[1]]);
      candidates.push([base[0] + o.right + margin - inFrame.left, base[1]]);
    });
    var best = null;
    candidates.forEach(function (shift) {
      var box = moved(popup, shift[0], shift[1]);
      var inside = box.top >= frame.top && box.bottom <= frame.bottom
        && box.left >= frame.left && box.right <= frame.right;
      var clear = obstacles.every(function (o) { return !overlaps(box, o); });
      var cost = Math.abs(shift[0]) + Math.abs(shift[1]);
      if (inside && clear && (best === null || cost < best.cost)) {
        best = {shift: shift, cost: cost};
      }
    });
    return best && best.shift;
  }

  function obstaclesIn(container) {
    var found = [];
    container.querySelectorAll(".leaflet-control").forEach(function (control) {
      var rect = control.getBoundingClientRect();
      if (rect.width > 0 && rect.height > 0) { found.push(rect); }
    });
    return found;
  }

  function keepClear(map, popup) {
    var element = popup.getElement();
    var container = map.getContainer();
    if (!element || !container.contains(element)) { return; }
    var frame = container.getBoundingClientRect();
    var shift = clearShift(element.getBoundingClientRect(), frame, obstaclesIn(container), 6);
    if (shift === null) {
      container.querySelectorAll(".frontline-legend").forEach(function (legend) {
        if (legend.frontlineFold) { legend.frontlineFold(true); }
      });
      shift = clearShift(element.getBoundingClientRect(), frame, obstaclesIn(container), 6)
        || [0, 0];
    }
    if (shift[0] || shift[1]) { map.panBy([-shift[0], -shift[1]]); }
  }

  function popupsClear(map) {
    map.on("popupopen", function (event) {
      requestAnimationFrame(function () { keepClear(map, event.popup); });
    });
  }

  // "No map tiles": said once, under the buttons at the top left, the first time a tile fails (or at
  // once when no tile server is set).
  function tilesNote(map, options) {
    var shown = false;
    function show() {
      if (shown) { return; }
      shown = true;
      var note = L.control({position: "topleft"});
      note.onAdd = function () {
        var box = L.DomUtil.create("div", "frontline-tiles-note");
        box.setAttribute("role", "status");
        box.style.cssText = "background:rgba(255,255,255,.85);padding:2px 6px;"
          + "border-radius:4px;font:11px/1.4 sans-serif;color:#333;pointer-events:none;"
          + "max-width:220px;";
        box.textContent = options.tilesNote;
        return box;
      };
      note.addTo(map);
    }
    if (options.tileLayer) { options.tileLayer.on("tileerror", show); } else { show(); }
  }

  // Leaflet sizes its text in rem, and the map's frame has a large root font: fixed sizes.
  function textSizes() {
    var style = document.createElement("style");
    style.textContent = ".leaflet-container, .leaflet-control-attribution, "
      + ".leaflet-control-scale-line { font-size: 12px; }"
      + " .leaflet-popup-content { font-size: 13px; }";
    document.head.appendChild(style);
  }

  window.frontlineMap = {
    setUp: function (map, options) {
      textSizes();
      credits(map, options);
      tilesCredit(map, options);
      // Wide areas under the point markers (markerPane is 600): a country's ring never takes
      // the click meant for a town inside it.
      map.createPane(options.broadPane).style.zIndex = 590;
      outlines(map, options);
      baseLayers(map, options);
      gestures(map);
      showAll(map, options);
      namedClusters();
      popupsClear(map);
      tilesNote(map, options);
    },
    clearShift: clearShift
  };
})();
