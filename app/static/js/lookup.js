/* assetmap lookup map: the postcode and the numbered nearest places, over the area's streets. */
(function () {
  'use strict';

  var A = window.AssetMap;
  var data = A.readJSON('lookup-data');
  var statusNode = document.getElementById('map-status');
  if (!data || !document.getElementById('lookup-map')) return;

  var map = L.map('lookup-map', {attributionControl: false, zoomSnap: 0.5, scrollWheelZoom: false, maxZoom: 19});
  A.attributionControl(map, data.attribution, data.tiles);
  L.control.scale({imperial: false, position: 'bottomleft'}).addTo(map);

  var tiles = A.tileLayer(data.tiles);
  var streets = A.streetsLayer(map);
  if (tiles) tiles.addTo(map); else streets.addTo(map);

  var home = L.latLng(data.lat, data.lon);
  // the view first: Leaflet only creates marker elements once the map has one
  var points = [home].concat(data.results.map(function (r) { return L.latLng(r.lat, r.lon); }));
  map.fitBounds(L.latLngBounds(points), {padding: [28, 28], maxZoom: 17});
  // the postcode is a label, not a control: its details are the page heading, and it must never
  // cover a result placed at the very same spot
  var homeIcon = L.divIcon({className: 'postcode-marker', html: A.el('span', {text: data.postcode}),
                            iconSize: null, iconAnchor: [0, 0]});
  L.marker(home, {icon: homeIcon, interactive: false, keyboard: false, zIndexOffset: -1000}).addTo(map);

  // results at the same spot (e.g. several services in one building) are fanned out around it
  var spot = {};
  data.results.forEach(function (r) {
    var key = r.lat.toFixed(5) + ',' + r.lon.toFixed(5);
    (spot[key] = spot[key] || []).push(r.rank);
  });
  function anchor(r) {
    var same = spot[r.lat.toFixed(5) + ',' + r.lon.toFixed(5)];
    if (same.length < 2) return [12, 12];
    var angle = 2 * Math.PI * same.indexOf(r.rank) / same.length - Math.PI / 2;
    return [Math.round(12 - 15 * Math.cos(angle)), Math.round(12 - 15 * Math.sin(angle))];
  }

  var markers = [];
  data.results.forEach(function (r) {
    var ll = L.latLng(r.lat, r.lon);
    var badge = A.el('span', {text: String(r.rank)});
    badge.style.backgroundColor = A.colour(r.colour);
    var name = r.name || ('Unnamed ' + String(r.category_label).toLowerCase());
    var marker = L.marker(ll, {
      icon: L.divIcon({className: 'rank-marker', html: badge, iconSize: [24, 24], iconAnchor: anchor(r)}),
      keyboard: true, riseOnHover: true, zIndexOffset: 500 - r.rank
    }).addTo(map);
    marker.bindPopup(function () {
      return A.el('div', {className: 'popup'},
        A.el('h3', {className: 'popup-title', text: r.rank + '. ' + name}),
        A.el('p', {className: 'popup-category'}, A.swatch(r.colour), r.category_label),
        A.el('p', {text: r.walk_minutes + ' min walk (' + A.distance(r.walk_m) + ' on foot)'}),
        r.url ? A.el('p', {className: 'popup-actions'}, A.el('a', {href: r.url, text: 'More about this place'})) : null);
    }, {maxWidth: 260});
    marker.bindTooltip(function () { return A.el('span', {text: r.rank + '. ' + name}); }, {direction: 'top', offset: [0, -12]});
    var node = marker.getElement();
    if (node) node.setAttribute('aria-label', r.rank + '. ' + name + ', ' + r.category_label);
    marker.on('popupopen', function () {
      var item = document.getElementById('result-' + r.rank);
      if (item) item.classList.add('highlight');
    });
    marker.on('popupclose', function () {
      var item = document.getElementById('result-' + r.rank);
      if (item) item.classList.remove('highlight');
    });
    markers.push(marker);
  });

  A.status(statusNode, '');
  A.fetchJSON(data.streets, 'streets').then(function (geo) {
    streets.addData(geo);
    document.getElementById('lookup-map').setAttribute('data-ready', 'yes');
  }).catch(function (err) {
    A.status(statusNode, 'The street map could not be shown: ' + err.message + '.', true);
    document.getElementById('lookup-map').setAttribute('data-ready', 'error');
  });

  window.assetmapLookup = {map: map, markers: markers};
})();
