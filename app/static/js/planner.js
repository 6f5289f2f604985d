/* assetmap planner map: IMD 2025 deciles by neighbourhood, community assets clustered by family. */
(function () {
  'use strict';

  var A = window.AssetMap;
  var cfg = A.readJSON('map-config');
  var statusNode = document.getElementById('map-status');
  if (!cfg || !document.getElementById('map')) return;

  var map = L.map('map', {attributionControl: false, zoomSnap: 0.5, minZoom: 9, maxZoom: 19});
  map.fitBounds(cfg.bounds, {padding: [12, 12]});
  map.setMaxBounds(L.latLngBounds(cfg.bounds).pad(0.6));
  L.control.scale({imperial: false, position: 'bottomleft'}).addTo(map);
  A.attributionControl(map, cfg.attribution, cfg.tiles);

  var choroplethPane = map.createPane('choropleth');
  choroplethPane.style.zIndex = 350;

  /* --- layers (created empty, filled as the data arrives) ------------------------------- */

  var tiles = A.tileLayer(cfg.tiles);
  var streets = A.streetsLayer(map);
  var decileColour = {};
  cfg.deciles.forEach(function (d) { decileColour[d.decile] = d.colour; });

  function lsoaStyle(feature) {
    var d = feature.properties.imd_decile;
    return {
      color: '#ffffff', weight: 0.8, opacity: 0.9,
      fillColor: decileColour[d] || '#bdbdbd', fillOpacity: decileColour[d] ? 0.6 : 0.25
    };
  }

  function lsoaPopup(p) {
    var counts = cfg.lsoa_assets[p.lsoa21_code] || {total: 0, by_family: {}};
    var box = A.el('div', {className: 'popup lsoa-popup'});
    box.appendChild(A.el('h3', {className: 'popup-title', text: p.lsoa21_name || p.lsoa21_code}));
    box.appendChild(A.el('p', {className: 'small', text: p.lsoa21_code + (p.lad_name ? ' · ' + p.lad_name : '')}));
    var dl = A.el('dl', {className: 'popup-facts'});
    function fact(term, value) { dl.appendChild(A.el('dt', {text: term})); dl.appendChild(A.el('dd', null, value)); }
    if (p.imd_decile) {
      var dec = cfg.deciles[p.imd_decile - 1];
      var chip = A.el('span', {className: 'decile-chip small-chip', text: String(p.imd_decile)});
      chip.style.backgroundColor = A.colour(dec.colour);
      chip.style.color = A.colour(dec.text_colour, '#000000');
      fact('IMD 2025 decile', A.el('span', null, chip, ' ' + dec.label));
      fact('IMD rank', A.number(p.imd_rank) + ' of ' + A.number(cfg.imd_lsoas) + ' (1 = most deprived)');
    } else {
      fact('IMD 2025 decile', 'not available');
    }
    fact('Residents', A.number(p.residents));
    fact('Community assets', A.number(counts.total));
    box.appendChild(dl);
    var fams = cfg.families.filter(function (f) { return counts.by_family[f.key]; });
    if (fams.length) {
      var ul = A.el('ul', {className: 'popup-families'});
      fams.forEach(function (f) {
        ul.appendChild(A.el('li', null, A.swatch(f.colour), f.label + ': ' + counts.by_family[f.key]));
      });
      box.appendChild(ul);
    }
    return box;
  }

  var choropleth = L.geoJSON(null, {
    pane: 'choropleth',
    style: lsoaStyle,
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      layer.bindPopup(function () { return lsoaPopup(p); }, {maxWidth: 340, minWidth: 270});
      layer.bindTooltip(function () {
        return A.el('span', null, A.el('strong', {text: p.lsoa21_name || p.lsoa21_code}),
                    p.imd_decile ? ' · IMD decile ' + p.imd_decile : '');
      }, {sticky: true, direction: 'top', opacity: 0.95});
      layer.on({
        mouseover: function () { layer.setStyle({weight: 2.5, color: '#111111'}); layer.bringToFront(); },
        mouseout: function () { choropleth.resetStyle(layer); }
      });
    }
  });

  var cluster = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 45,
    spiderfyOnMaxZoom: true,
    disableClusteringAtZoom: 18,
    chunkedLoading: true,
    iconCreateFunction: function (c) {
      var n = c.getChildCount();
      var size = n < 10 ? 30 : n < 50 ? 36 : 44;
      var inner = A.el('div', null, A.el('span', {text: String(n)}),
                       A.el('span', {className: 'visually-hidden', text: ' places, zoom in'}));
      return L.divIcon({html: inner, className: 'marker-cluster asset-cluster', iconSize: L.point(size, size)});
    }
  });

  /* One toggle per family: adding it to the map puts its markers into the shared cluster group. */
  var FamilyLayer = L.Layer.extend({
    initialize: function (family) { this.family = family; this.markers = []; this.active = false; },
    onAdd: function () { this.active = true; cluster.addLayers(this.markers); },
    onRemove: function () { this.active = false; cluster.removeLayers(this.markers); },
    setMarkers: function (markers) {
      if (this.active) cluster.removeLayers(this.markers);
      this.markers = markers;
      if (this.active) cluster.addLayers(markers);
    }
  });

  var families = {};
  var overlays = {};
  overlays[A.swatchHtml('#b7b1a8') + ' Streets (OpenStreetMap)'] = streets;
  overlays['<span class="swatch decile-ramp" aria-hidden="true"></span> Deprivation (IMD 2025 decile)'] = choropleth;
  cfg.families.forEach(function (f) {
    if (!f.count) return;
    families[f.key] = new FamilyLayer(f);
    overlays[A.swatchHtml(f.colour) + ' ' + A.escapeHtml(f.label) + ' <span class="count">(' + f.count + ')</span>'] =
      families[f.key];
  });
  var bases = {};
  if (tiles) bases['Map tiles'] = tiles;
  var layersControl = L.control.layers(bases, overlays, {
    collapsed: window.matchMedia('(max-width: 900px)').matches, position: 'topright'
  }).addTo(map);
  // the open list would cover popups near the top right: fold it away (its button brings it back)
  map.on('popupopen', function () { layersControl.collapse(); });

  /* A compact decile key on the map itself; the full legend with counts is in the side panel. */
  var key = L.control({position: 'bottomleft'});
  key.onAdd = function () {
    var box = A.el('div', {className: 'leaflet-control map-key', role: 'group', 'aria-label': 'Deprivation key'});
    box.appendChild(A.el('div', {className: 'map-key-title', text: 'IMD 2025 decile'}));
    var row = A.el('div', {className: 'map-key-row'});
    cfg.deciles.forEach(function (d) {
      var chip = A.el('span', {className: 'map-key-chip', text: String(d.decile), title: d.label});
      chip.style.backgroundColor = A.colour(d.colour);
      chip.style.color = A.colour(d.text_colour, '#000000');
      row.appendChild(chip);
    });
    box.appendChild(row);
    box.appendChild(A.el('div', {className: 'map-key-ends'}, A.el('span', {text: '1 = most deprived 10%'}),
                         A.el('span', {text: '10 = least'})));
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  map.on('overlayadd', function (e) { if (e.layer === choropleth) key.addTo(map); });
  map.on('overlayremove', function (e) { if (e.layer === choropleth) key.remove(); });

  if (tiles) tiles.addTo(map); else streets.addTo(map);
  choropleth.addTo(map);
  key.addTo(map);
  cluster.addTo(map);
  Object.keys(families).forEach(function (k) { families[k].addTo(map); });

  /* --- markers ------------------------------------------------------------------------ */

  var markersById = {};

  function assetMarker(feature) {
    var p = feature.properties;
    var c = feature.geometry && feature.geometry.coordinates;
    if (!c || c.length < 2) return null;
    var cat = cfg.categories[p.category] || {label: p.category || 'Place', colour: '#555555'};
    var dot = A.el('span', {className: 'asset-dot'});
    dot.style.backgroundColor = A.colour(cat.colour);
    var marker = L.marker([c[1], c[0]], {
      icon: L.divIcon({className: 'asset-marker', html: dot, iconSize: [16, 16], iconAnchor: [8, 8], popupAnchor: [0, -6]}),
      keyboard: true, riseOnHover: true
    });
    var name = A.assetName(p, cat);
    marker.bindPopup(function () { return A.assetPopup(p, cfg, cfg.urls.lookup); }, {maxWidth: 300, minWidth: 200});
    marker.bindTooltip(function () { return A.el('span', {text: name}); }, {direction: 'top', offset: [0, -8]});
    marker.on('add', function () {
      var node = marker.getElement();
      if (node) node.setAttribute('aria-label', name + ', ' + cat.label);
    });
    markersById[p.asset_id] = marker;
    return marker;
  }

  function openAsset(id) {
    var marker = markersById[id];
    if (!marker) return false;
    var fam = Object.keys(families).filter(function (k) { return families[k].markers.indexOf(marker) >= 0; })[0];
    if (fam && !families[fam].active) families[fam].addTo(map);
    cluster.zoomToShowLayer(marker, function () { marker.openPopup(); });
    return true;
  }

  function openFromHash() {
    var m = /^#asset=(.+)$/.exec(window.location.hash);
    if (m) openAsset(decodeURIComponent(m[1]));
  }

  /* --- data --------------------------------------------------------------------------- */

  var pending = 3;
  var failures = [];
  function done(err) {
    if (err) failures.push(err.message);
    pending -= 1;
    if (failures.length) A.status(statusNode, 'Part of the map could not be shown: ' + failures.join('; ') + '.', true);
    else if (pending > 0) A.status(statusNode, 'Loading the map…');
    else A.status(statusNode, '');
    if (!pending) document.getElementById('map').setAttribute('data-ready', failures.length ? 'error' : 'yes');
  }

  A.fetchJSON(cfg.urls.streets, 'streets').then(function (data) {
    streets.addData(data);
    done();
  }).catch(done);

  A.fetchJSON(cfg.urls.neighbourhoods, 'neighbourhoods').then(function (data) {
    choropleth.addData(data);
    done();
  }).catch(done);

  A.fetchJSON(cfg.urls.assets, 'community assets').then(function (data) {
    var byFamily = {};
    (data.features || []).forEach(function (f) {
      var m = assetMarker(f);
      if (!m) return;
      var fam = f.properties.family;
      (byFamily[fam] = byFamily[fam] || []).push(m);
    });
    Object.keys(byFamily).forEach(function (k) { if (families[k]) families[k].setMarkers(byFamily[k]); });
    done();
    openFromHash();
  }).catch(done);

  window.addEventListener('hashchange', openFromHash);

  // for scripted checks and debugging: the map and its layers
  window.assetmapPlanner = {map: map, cluster: cluster, choropleth: choropleth, streets: streets,
                            families: families, markers: markersById, openAsset: openAsset};
})();
