/* assetmap asset page: the place and its nearby places over the area's streets. */
(function () {
  'use strict';

  var A = window.AssetMap;
  var data = A.readJSON('asset-data');
  var node = document.getElementById('asset-map');
  var statusNode = document.getElementById('map-status');
  if (!data || !node) return;

  var map = L.map('asset-map', {attributionControl: false, zoomSnap: 0.5, scrollWheelZoom: false, maxZoom: 19});
  A.attributionControl(map, data.attribution, data.tiles);
  L.control.scale({imperial: false, position: 'bottomleft'}).addTo(map);
  var here = L.latLng(data.asset.lat, data.asset.lon);
  map.setView(here, 17);

  function dot(colour, size, extra) {
    var span = A.el('span', {className: 'asset-dot' + (extra ? ' ' + extra : '')});
    span.style.backgroundColor = A.colour(colour);
    return L.divIcon({className: 'asset-marker', html: span, iconSize: [size, size], iconAnchor: [size / 2, size / 2]});
  }

  (data.nearby || []).forEach(function (n) {
    var m = L.marker([n.lat, n.lon], {icon: dot(n.colour, 14), keyboard: true, riseOnHover: true}).addTo(map);
    m.bindPopup(function () {
      return A.el('div', {className: 'popup'},
        A.el('h3', {className: 'popup-title'}, A.el('a', {href: n.url, text: n.title})),
        A.el('p', {className: 'popup-category'}, A.swatch(n.colour), n.category));
    }, {maxWidth: 240});
    m.bindTooltip(function () { return A.el('span', {text: n.title}); }, {direction: 'top', offset: [0, -8]});
    var el = m.getElement();
    if (el) el.setAttribute('aria-label', n.title + ', ' + n.category);
  });

  var main = L.marker(here, {icon: dot(data.asset.colour, 24, 'asset-dot-main'), keyboard: true,
                             zIndexOffset: 1000}).addTo(map);
  main.bindTooltip(function () { return A.el('span', {text: data.asset.title}); },
                   {direction: 'top', offset: [0, -12], permanent: false});
  var mainEl = main.getElement();
  if (mainEl) mainEl.setAttribute('aria-label', data.asset.title + ', ' + data.asset.category);

  A.status(statusNode, '');
  A.backdrop(map, data).ready.then(function () { node.setAttribute('data-ready', 'yes'); });

  window.assetmapAsset = {map: map, marker: main};
})();
