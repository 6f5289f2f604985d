/* assetmap planner map: what-ifs on the map. "Best 5 sites" asks the siting API and numbers the
   picks on the map; "Open one where I click" asks the scenario API for a new place at the point
   clicked and shades the neighbourhoods whose walk gets shorter. Results are written as text too. */
(function () {
  'use strict';

  var A = window.AssetMap;
  var P = window.assetmapPlanner;
  var form = document.querySelector('.whatif-form');
  if (!P || !form || !P.config.urls.siting) return;
  var map = P.map;
  var select = document.getElementById('whatif-category');
  var clickBtn = document.getElementById('whatif-click');
  var out = document.getElementById('whatif-result');
  var results = L.layerGroup().addTo(map);
  var changed = {};
  var clicking = false;

  function getJSON(url) {
    return fetch(url, {credentials: 'same-origin', headers: {Accept: 'application/json'}}).then(function (resp) {
      return resp.json().then(function (body) {
        if (!resp.ok) throw new Error(body.error || ('HTTP ' + resp.status));
        return body;
      });
    });
  }

  function say() {
    out.textContent = '';
    for (var i = 0; i < arguments.length; i++) out.appendChild(arguments[i]);
  }

  function label() { return select.options[select.selectedIndex].text; }

  var changeLayer = P.lsoaLayer(function (f) {
    var c = changed[f.properties.lsoa21_code];
    if (c === undefined) return {color: '#ffffff', weight: 0.6, opacity: 0.6, fillColor: '#bdbdbd', fillOpacity: 0.15};
    var shade = c <= -10 ? '#006d2c' : c <= -5 ? '#31a354' : c <= -2 ? '#74c476' : '#c7e9c0';
    return {color: '#ffffff', weight: 0.8, opacity: 0.9, fillColor: shade, fillOpacity: 0.75};
  }, function (p) {
    var c = changed[p.lsoa21_code];
    return c === undefined ? ' · no change' : ' · ' + Math.abs(c).toFixed(1) + ' min shorter walk';
  });
  P.registerFill(null, changeLayer, null);
  P.onNeighbourhoods(function (data) { changeLayer.addData(data); });

  function numberedMarker(n, lat, lon, title, lines) {
    var icon = L.divIcon({className: 'whatif-marker', html: A.el('span', {text: String(n)}), iconSize: [26, 26], iconAnchor: [13, 13]});
    var m = L.marker([lat, lon], {icon: icon, keyboard: true, title: title});
    m.bindPopup(function () {
      var box = A.el('div', {className: 'popup'}, A.el('h3', {className: 'popup-title', text: title}));
      lines.forEach(function (t) { box.appendChild(A.el('p', {text: t})); });
      return box;
    });
    return m.addTo(results);
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    results.clearLayers();
    say(A.el('p', {text: 'Finding the best sites for ' + label().toLowerCase() + '…'}));
    getJSON(P.config.urls.siting + '?category=' + encodeURIComponent(select.value) + '&k=5').then(function (r) {
      var list = A.el('ol', {className: 'priority-list'});
      r.picks.forEach(function (p) {
        var name = p.name || 'Unnamed ' + (p.host_category || 'building').replace(/_/g, ' ');
        var lines = ['Pick ' + p.rank + ' for ' + label().toLowerCase(),
                     A.number(p.people_newly_within_threshold) + ' people newly within ' + r.threshold_min + ' minutes’ walk',
                     'Gain: ' + A.number(Math.round(p.gain)) + ' (need-weighted shortfall)'];
        numberedMarker(p.rank, p.lat, p.lon, name, lines);
        list.appendChild(A.el('li', {text: name + ' — ' + A.number(p.people_newly_within_threshold) + ' people newly within ' +
                                          r.threshold_min + ' min'}));
      });
      say(A.el('p', {text: r.picks.length ? 'Best sites for ' + label().toLowerCase() + ' (numbered on the map):'
                                          : 'No building would shorten anyone’s walk beyond the threshold.'}), list,
          A.el('p', {className: 'small', text: 'Need-weighted shortfall ' + A.number(Math.round(r.weighted_shortfall_before)) +
                                                ' → ' + A.number(Math.round(r.weighted_shortfall_after)) + '.'}));
    }).catch(function (err) { say(A.el('p', {className: 'error', text: 'Could not find sites: ' + err.message})); });
  });

  clickBtn.addEventListener('click', function () {
    clicking = !clicking;
    clickBtn.setAttribute('aria-pressed', clicking ? 'true' : 'false');
    map.getContainer().classList.toggle('whatif-picking', clicking);
    if (clicking) say(A.el('p', {text: 'Click the map where a new ' + label().toLowerCase() + ' would open.'}));
  });

  map.on('click', function (e) { if (clicking) openAt(e.latlng); });
  P.clickHook = function (latlng) {
    if (!clicking) return false;
    openAt(latlng);
    return true;
  };

  function openAt(ll) {
    results.clearLayers();
    say(A.el('p', {text: 'Working out the walks…'}));
    var query = 'open=' + encodeURIComponent(select.value) + '&lon=' + ll.lng.toFixed(6) + '&lat=' + ll.lat.toFixed(6);
    getJSON(P.config.urls.scenario + '?' + query).then(function (r) {
      var c = r.categories[select.value];
      changed = {};
      (c ? c.lsoas : []).forEach(function (n) { changed[n.lsoa21_code] = n.change_min; });
      changeLayer.setStyle(changeLayer.options.style);
      changeLayer.addTo(map);
      numberedMarker('+', ll.lat, ll.lng, 'A new ' + label().toLowerCase(), []);
      if (!c) { say(A.el('p', {text: 'A new place here would not shorten anyone’s walk.'})); return; }
      say(A.el('p', {text: 'A new ' + label().toLowerCase() + ' here: ' + A.number(c.people_gaining) + ' people get a shorter walk; ' +
                            A.number(c.people_within_threshold_before) + ' → ' + A.number(c.people_within_threshold_after) +
                            ' people within ' + P.config.gaps.threshold_min + ' minutes; priority ' +
                            A.number(Math.round(c.priority_before)) + ' → ' + A.number(Math.round(c.priority_after)) + '.'}),
          A.el('p', {className: 'small', text: c.lsoas.length + ' neighbourhoods shaded green by how much shorter their walk is.'}));
      document.dispatchEvent(new CustomEvent('assetmap:scenario', {detail: {query: query}}));
    }).catch(function (err) { say(A.el('p', {className: 'error', text: err.message})); });
  }

  P.whatif = {results: results, changes: changeLayer};
})();
