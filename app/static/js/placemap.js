/* assetmap place map: one place and its streets over the area's base map (no deprivation
   shading), and with ?from=<postcode> the walking route to it on the build's own network. */
(function () {
  'use strict';

  var A = window.AssetMap;
  var data = A.readJSON('place-data');
  var node = document.getElementById('place-map');
  if (!data || !node) return;

  var map = L.map('place-map', {attributionControl: false, zoomSnap: 0.5, scrollWheelZoom: false, maxZoom: 19});
  A.attributionControl(map, data.attribution, data.tiles);
  L.control.scale({imperial: false, position: 'bottomleft'}).addTo(map);
  var place = L.latLng(data.place.lat, data.place.lon);
  var walk = data.walk;

  if (walk && walk.line && walk.line.length > 1) {
    var line = L.polyline(walk.line, {color: '#1d4f91', weight: 6, opacity: 0.85, interactive: false}).addTo(map);
    var start = A.el('span', {text: walk.postcode});
    L.marker([walk.lat, walk.lon], {icon: L.divIcon({className: 'postcode-marker', html: start, iconSize: null,
                                                     iconAnchor: [0, 0]}),
                                    interactive: false, keyboard: false}).addTo(map);
    var credit = node.querySelector('.leaflet-control-attribution');
    map.fitBounds(line.getBounds().extend(place), {paddingTopLeft: [40, 40],
      paddingBottomRight: [40, 40 + (credit ? credit.offsetHeight : 0)], maxZoom: 18});
  } else {
    map.setView(place, 17);
  }

  var dot = A.el('span', {className: 'asset-dot asset-dot-main'});
  dot.style.backgroundColor = A.colour(data.place.colour);
  var marker = L.marker(place, {icon: L.divIcon({className: 'asset-marker', html: dot, iconSize: [24, 24], iconAnchor: [12, 12]}),
                                keyboard: true, zIndexOffset: 1000}).addTo(map);
  marker.bindTooltip(function () { return A.el('span', {text: data.place.title}); }, {direction: 'top', offset: [0, -12]});
  var el = marker.getElement();
  if (el) el.setAttribute('aria-label', data.place.title + ', ' + data.place.category);

  A.status(document.getElementById('map-status'), '');
  A.backdrop(map, data).ready.then(function () { node.setAttribute('data-ready', 'yes'); });
  window.assetmapPlace = {map: map, marker: marker};
})();
