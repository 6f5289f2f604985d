/* assetmap OGC API pages: the features of the page on a plain map (vendored Leaflet, no tiles). */
(function () {
  'use strict';
  var node = document.getElementById('ogc-map');
  var src = document.getElementById('ogc-data');
  if (!node || !src || !window.L) return;
  var data = JSON.parse(src.textContent);
  var map = L.map(node, {attributionControl: true, scrollWheelZoom: false});
  map.attributionControl.setPrefix('');
  map.attributionControl.addAttribution('© OpenStreetMap contributors; ONS, MHCLG (OGL)');
  var layer = L.geoJSON(data, {
    pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {radius: 6}); },
    onEachFeature: function (f, l) {
      if (f.properties && f.properties.name) {
        l.bindTooltip(function () { var s = document.createElement('span'); s.textContent = f.properties.name; return s; });
      }
    }
  }).addTo(map);
  var b = layer.getBounds();
  if (b.isValid()) { map.fitBounds(b, {maxZoom: 17, padding: [12, 12]}); } else { map.setView([52.5, -1.5], 6); }
  node.setAttribute('data-ready', 'yes');
})();
