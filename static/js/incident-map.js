// The map of the incident list: an enhancement. The list, the timeline and the
// downloads work without it; without tiles (offline, blocked) the markers still show.
(function () {
  "use strict";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function init() {
    var element = document.getElementById("incident-map");
    if (!element || typeof L === "undefined" || typeof L.markerClusterGroup !== "function") {
      return;
    }
    var data = document.getElementById(element.dataset.points);
    var points = data ? JSON.parse(data.textContent) : [];
    if (!points.length) {
      return;
    }
    element.hidden = false;

    var map = L.map(element, { scrollWheelZoom: false, worldCopyJump: true });
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {
        maxZoom: 18,
        attribution: element.dataset.tileAttribution || "",
      }).addTo(map);
    }

    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
    var base = element.dataset.detailBase;
    points.forEach(function (point) {
      // [latitude, longitude, slug, title, date]
      var marker = L.circleMarker([point[0], point[1]], {
        radius: 7,
        color: "#ffffff",
        weight: 2,
        fillColor: "#0b4f8a",
        fillOpacity: 0.9,
      });
      var url = base + encodeURIComponent(point[2]) + "/";
      marker.bindPopup(
        '<a href="' + escapeHtml(url) + '" dir="auto">' + escapeHtml(point[3]) + "</a>" +
          (point[4] ? "<br><time>" + escapeHtml(point[4]) + "</time>" : "")
      );
      cluster.addLayer(marker);
    });
    map.addLayer(cluster);

    var bounds = cluster.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds.pad(0.2), { maxZoom: 9 });
    } else {
      map.setView([20, 0], 2);
    }
    element.dataset.ready = "true";

    // Narrow the list to what the map shows, through the same bbox filter as the API.
    var button = document.createElement("button");
    button.type = "button";
    button.className = "map-filter";
    button.textContent = "Show only incidents in this map area";
    button.addEventListener("click", function () {
      var b = map.getBounds();
      var box = [
        Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90),
        Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90),
      ].map(function (v) { return v.toFixed(4); }).join(",");
      var params = new URLSearchParams(window.location.search);
      params.set("bbox", box);
      params.delete("page");
      window.location.search = params.toString();
    });
    element.insertAdjacentElement("afterend", button);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
