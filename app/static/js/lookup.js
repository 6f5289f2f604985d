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

  var home = L.latLng(data.lat, data.lon);
  // the view first: Leaflet only creates marker elements once the map has one
  var points = [home].concat(data.results.map(function (r) { return L.latLng(r.lat, r.lon); }));
  // keep the places clear of the attribution, which takes several lines on a phone
  var credit = document.querySelector('#lookup-map .leaflet-control-attribution');
  var below = 48 + (credit ? credit.offsetHeight : 0);
  map.fitBounds(L.latLngBounds(points), {paddingTopLeft: [48, 48], paddingBottomRight: [48, below], maxZoom: 17});
  // the postcode is a label, not a control: its details are the page heading, and it must never
  // cover a result placed at the very same spot
  var homeIcon = L.divIcon({className: 'postcode-marker', html: A.el('span', {text: data.postcode}),
                            iconSize: null, iconAnchor: [0, 0]});
  L.marker(home, {icon: homeIcon, interactive: false, keyboard: false, zIndexOffset: -1000}).addTo(map);

  // markers are 28 px targets (WCAG 2.2 target size); places closer together on screen than that
  // (several services in one building, neighbouring shops) are pushed apart around their spot at
  // every zoom, so no marker hides another
  var SIZE = 28, MIN = 30;
  function spread() {
    var spots = data.results.map(function (r) { return map.latLngToLayerPoint([r.lat, r.lon]); });
    var pos = spots.map(function (p, i) {  // identical spots start on a small circle, in rank order
      var a = 2 * Math.PI * i / spots.length;
      return L.point(p.x + 0.5 * Math.cos(a), p.y + 0.5 * Math.sin(a));
    });
    for (var pass = 0; pass < 500; pass++) {  // dense clusters (ten places in a few streets) take a few hundred
      var moved = false;
      for (var i = 0; i < pos.length; i++) {
        for (var j = i + 1; j < pos.length; j++) {
          // square targets: apart when either axis is MIN apart; push along the wider one
          var dx = pos[j].x - pos[i].x, dy = pos[j].y - pos[i].y;
          if (Math.max(Math.abs(dx), Math.abs(dy)) >= MIN) continue;
          var alongX = Math.abs(dx) >= Math.abs(dy), d = alongX ? dx : dy;
          var push = ((MIN - Math.abs(d)) / 2 + 0.1) * (d < 0 ? -1 : 1);
          pos[i] = L.point(pos[i].x - (alongX ? push : 0), pos[i].y - (alongX ? 0 : push));
          pos[j] = L.point(pos[j].x + (alongX ? push : 0), pos[j].y + (alongX ? 0 : push));
          moved = true;
        }
      }
      if (!moved) break;
    }
    markers.forEach(function (m, k) {
      var node = m.getElement();
      if (!node) return;
      node.style.marginLeft = Math.round(pos[k].x - spots[k].x - SIZE / 2) + 'px';
      node.style.marginTop = Math.round(pos[k].y - spots[k].y - SIZE / 2) + 'px';
    });
  }

  var markers = [];
  data.results.forEach(function (r) {
    var ll = L.latLng(r.lat, r.lon);
    var badge = A.el('span', {text: String(r.rank)});
    badge.style.backgroundColor = A.colour(r.colour);
    var name = r.name || ('Unnamed ' + String(r.category_label).toLowerCase());
    var marker = L.marker(ll, {
      icon: L.divIcon({className: 'rank-marker', html: badge, iconSize: [SIZE, SIZE], iconAnchor: [SIZE / 2, SIZE / 2]}),
      keyboard: true, riseOnHover: true, zIndexOffset: 500 - r.rank
    }).addTo(map);
    marker.bindPopup(function () {
      return A.el('div', {className: 'popup'},
        A.el('h3', {className: 'popup-title', text: r.rank + '. ' + name}),
        A.el('p', {className: 'popup-category'}, A.swatch(r.colour), r.category_label),
        A.el('p', {text: r.walk_minutes + ' min walk (' + A.distance(r.walk_m) + ' on foot)'}),
        r.url ? A.el('p', {className: 'popup-actions'}, A.el('a', {href: r.url, text: 'More about this place'})) : null);
    }, {maxWidth: 260});
    marker.bindTooltip(function () { return A.el('span', {text: r.rank + '. ' + name}); }, {direction: 'top', offset: [0, -14]});
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

  spread();
  map.on('zoomend', spread);
  A.status(statusNode, '');
  A.backdrop(map, data).ready.then(function () {
    document.getElementById('lookup-map').setAttribute('data-ready', 'yes');
  });

  window.assetmapLookup = {map: map, markers: markers};
})();
