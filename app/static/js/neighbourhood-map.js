/* assetmap neighbourhood profile: the neighbourhood's outline and the places inside and just outside it,
   over the area's own vector base map (as the planner draws it; no third-party tiles). */
(function () {
  'use strict';

  var A = window.AssetMap;
  var data = A && A.readJSON('neighbourhood-data');
  var node = document.getElementById('neighbourhood-map');
  if (!data || !node) return;

  var map = L.map('neighbourhood-map', {attributionControl: false, zoomSnap: 0.5, scrollWheelZoom: false, maxZoom: 19});
  A.attributionControl(map, data.attribution, data.tiles);
  L.control.scale({imperial: false, position: 'bottomleft'}).addTo(map);

  var outline = L.geoJSON({type: 'Feature', geometry: data.outline, properties: {}}, {
    style: {color: '#08306b', weight: 3, fillColor: '#4292c6', fillOpacity: 0.12}, interactive: false
  }).addTo(map);
  map.fitBounds(outline.getBounds(), {padding: [16, 16]});

  function dot(colour, size) {
    var span = A.el('span', {className: 'asset-dot'});
    span.style.backgroundColor = A.colour(colour);
    return L.divIcon({className: 'asset-marker', html: span, iconSize: [size, size], iconAnchor: [size / 2, size / 2]});
  }

  var places = (data.places || []).map(function (n) {
    var m = L.marker([n.lat, n.lon], {icon: dot(n.colour, n.inside ? 16 : 10), keyboard: true, riseOnHover: true,
                                      zIndexOffset: n.inside ? 500 : 0}).addTo(map);
    m.bindPopup(function () {
      return A.el('div', {className: 'popup'},
        A.el('h3', {className: 'popup-title'}, A.el('a', {href: n.url, text: n.title})),
        A.el('p', {className: 'popup-category'}, A.swatch(n.colour), n.category,
             n.inside ? '' : ' (just outside)'));
    }, {maxWidth: 240});
    m.bindTooltip(function () { return A.el('span', {text: n.title}); }, {direction: 'top', offset: [0, -8]});
    var el = m.getElement();
    if (el) el.setAttribute('aria-label', n.title + ', ' + n.category + (n.inside ? '' : ', just outside'));
    return m;
  });

  A.status(document.getElementById('map-status'), '');
  A.backdrop(map, data).ready.then(function () { node.setAttribute('data-ready', 'yes'); });

  window.assetmapNeighbourhood = {map: map, outline: outline, places: places};
})();
