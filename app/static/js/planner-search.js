/* assetmap planner: the "Find a place" box (a neighbourhood name or code, a postcode or an OSM place:
   the map flies there and opens the neighbourhood) and the district's unmapped part, drawn in grey.
   Answers come from a precomputed index on the server (/area/<slug>/search.json). */
(function () {
  'use strict';

  var A = window.AssetMap;
  var form = document.getElementById('planner-search');
  var P = window.assetmapPlanner;
  if (!form || !P || !A) return;
  var input = document.getElementById('planner-search-q');
  var list = document.getElementById('planner-search-results');
  var statusNode = document.getElementById('planner-search-status');
  var unmappedGroup = null;
  var hits = [];
  var timer = null;
  var asked = 0;

  /* --- the unmapped part of the district ------------------------------------------------- */

  var unmappedUrl = form.getAttribute('data-unmapped');
  if (unmappedUrl) {
    unmappedGroup = L.geoJSON(null, {
      style: {color: '#424242', weight: 1, dashArray: '4 3', fillColor: '#9e9e9e', fillOpacity: 0.55},
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.unmapped = true;
        layer.bindTooltip(function () {
          return A.el('span', null, A.el('strong', {text: 'Not mapped: '}), p.display_name || p.lsoa21_name,
                      ' — outside the OpenStreetMap extract');
        }, {sticky: true, direction: 'top', opacity: 0.95});
        layer.bindPopup(function () {
          return A.el('div', {className: 'popup'},
            A.el('h3', {className: 'popup-title', text: p.display_name || p.lsoa21_name}),
            A.el('p', {text: 'Not mapped: this neighbourhood of ' + (p.lad_name || 'the district') +
                             ' lies outside the OpenStreetMap extract this map is made from, so its places and ' +
                             'walking times are not shown.'}));
        }, {maxWidth: 300});
      }
    });
    A.fetchJSON(unmappedUrl, 'the unmapped neighbourhoods').then(function (data) {
      if (!data.features || !data.features.length) return;
      unmappedGroup.addData(data);
      unmappedGroup.addTo(P.map);
      var label = form.getAttribute('data-unmapped-label');
      if (label) {
        // a label, not a tooltip: it never opens or closes, and takes no clicks or focus
        L.marker(labelPoint(), {interactive: false, keyboard: false, icon: L.divIcon({
          className: 'unmapped-label', html: A.el('span', {text: label}), iconSize: [224, 48], iconAnchor: [112, 24]
        })}).addTo(P.map);
      }
      if (P.layers && P.layers.addOverlay) P.layers.addOverlay(unmappedGroup, 'Not mapped (outside the extract)');
    }).catch(function () { /* the map works without it */ });
  }

  /* the label sits on the largest unmapped shape (the middle of them all may be the mapped part) */
  function labelPoint() {
    var best = null, size = -1;
    unmappedGroup.eachLayer(function (l) {
      var b = l.getBounds(), s = (b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest());
      if (s > size) { size = s; best = b.getCenter(); }
    });
    return best;
  }

  /* --- flying to a result ---------------------------------------------------------------- */

  function shapeFor(code, unmapped) {
    var found = null;
    if (unmapped) {
      if (unmappedGroup) unmappedGroup.eachLayer(function (l) { if (l.feature.properties.lsoa21_code === code) found = l; });
      return found;
    }
    P.map.eachLayer(function (l) {
      if (!found && !l.unmapped && l.feature && l.feature.properties && l.getBounds &&
          l.feature.properties.lsoa21_code === code) found = l;
    });
    return found;
  }

  function fly(hit) {
    var unmapped = hit.kind === 'unmapped' || hit.unmapped;
    var shape = hit.code ? shapeFor(hit.code, unmapped) : null;
    var point = L.latLng(hit.lat, hit.lon);
    if (shape) {
      P.map.fitBounds(shape.getBounds(), {maxZoom: 16, padding: [24, 24], animate: false});
      var at = hit.kind === 'neighbourhood' || hit.kind === 'unmapped' ? shape.getBounds().getCenter() : point;
      shape.openPopup(at);
    } else {
      P.map.setView(point, 16, {animate: false});
    }
    form.setAttribute('data-shown', hit.code || '');
    A.status(statusNode, 'Showing ' + hit.label + (hit.detail ? ' (' + hit.detail + ')' : '') + ' on the map.');
  }

  /* --- the box -------------------------------------------------------------------------- */

  function show(results, q) {
    hits = results;
    list.textContent = '';
    results.forEach(function (hit) {
      var button = A.el('button', {type: 'button', className: 'search-hit'},
                        A.el('span', {className: 'hit-label', text: hit.label}),
                        A.el('span', {className: 'small hit-detail', text: hit.detail || hit.kind}));
      button.addEventListener('click', function () { fly(hit); });
      list.appendChild(A.el('li', null, button));
    });
    list.hidden = !results.length;
    A.status(statusNode, q ? (results.length ? results.length + (results.length === 1 ? ' match' : ' matches') +
                                              ' for “' + q + '”: choose one, or press Find for the first.'
                                            : 'Nothing called “' + q + '” here. Try a neighbourhood, ward, ' +
                                              'place or street name, or a postcode.') : '');
  }

  function ask(q) {
    var mine = ++asked;
    if (q.length < 2) { show([], ''); return Promise.resolve([]); }
    var url = form.getAttribute('action') + '?q=' + encodeURIComponent(q);
    return A.fetchJSON(url, 'the search').then(function (data) {
      if (mine === asked) show(data.results || [], q);
      return data.results || [];
    });
  }

  input.addEventListener('input', function () {
    clearTimeout(timer);
    var q = input.value.trim();
    timer = setTimeout(function () { ask(q); }, 200);
  });

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    clearTimeout(timer);
    var q = input.value.trim();
    ask(q).then(function (results) { if (results.length) fly(results[0]); })
      .catch(function (err) { A.status(statusNode, String(err.message || err), true); });
  });

  window.assetmapSearch = {fly: fly, ask: ask, unmapped: function () { return unmappedGroup; },
                           hits: function () { return hits; }};
})();
