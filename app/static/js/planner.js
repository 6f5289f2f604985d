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

  var base = A.backdrop(map, cfg);  // the area's vector base map (or configured online tiles)
  var decileColour = {};
  cfg.deciles.forEach(function (d) { decileColour[d.decile] = d.colour; });

  var depKey = 'imd';  // the IoD 2025 measure the choropleth shows: 'imd' or a domain
  function lsoaStyle(feature) {
    var d = feature.properties[depKey + '_decile'];
    return {
      color: '#ffffff', weight: 0.8, opacity: 0.9,
      fillColor: decileColour[d] || '#bdbdbd', fillOpacity: decileColour[d] ? 0.6 : 0.25
    };
  }

  function lsoaPopup(p) {
    var counts = cfg.lsoa_assets[p.lsoa21_code] || {total: 0, by_family: {}};
    var box = A.el('div', {className: 'popup lsoa-popup'});
    box.appendChild(A.el('h3', {className: 'popup-title', text: p.display_name || p.lsoa21_name || p.lsoa21_code}));
    box.appendChild(A.el('p', {className: 'small', text: p.lsoa21_code + (p.ward_name ? ' · ' + p.ward_name + ' ward' : '') +
                                                     (p.lad_name ? ' · ' + p.lad_name : '')}));
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
    if (walkKey) fact('Walk to nearest ' + (walkLabels[walkKey] || '').toLowerCase(), walkText(p, walkKey));
    fact('Community assets', A.number(counts.total));
    if (p.gap_score !== undefined && p.gap_score !== null) {
      fact('Gap score', p.gap_score.toFixed(1) + ' (rank ' + p.gap_rank + ' here; 100 = biggest gap)');
      fact('Need (IoD, no barriers)', p.need_score.toFixed(1) + ' (England decile ' + p.need_decile_england + ')');
      fact('Priority', A.number(Math.round(p.priority_score)) + ' (rank ' + p.priority_rank + ')' +
           (p.double_disadvantage ? ' · double disadvantage' : ''));
    }
    box.appendChild(dl);
    if (cfg.urls.neighbourhood_page) {
      box.appendChild(A.el('p', {className: 'popup-actions'},
        A.el('a', {href: cfg.urls.neighbourhood_page + encodeURIComponent(p.lsoa21_code),
                   text: 'Neighbourhood profile'})));
    }
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

  /* Walking time to the nearest place of the chosen type (mean over the LSOA's postcodes). */
  var walkCfg = cfg.walk || {choices: [], classes: []};
  var walkKey = walkCfg.default;
  var walkLabels = {};
  walkCfg.choices.forEach(function (c) { walkLabels[c.key] = c.label; });

  function walkClass(minutes) {
    if (minutes === null || minutes === undefined) return null;
    for (var i = 0; i < walkCfg.classes.length; i++) {
      var c = walkCfg.classes[i];
      if (c.max === null || minutes <= c.max) return c;
    }
    return null;
  }

  function walkStyle(feature) {
    var c = walkClass(feature.properties['walk_' + walkKey + '_min']);
    return {color: '#ffffff', weight: 0.8, opacity: 0.9,
            fillColor: c ? c.colour : '#bdbdbd', fillOpacity: c ? 0.7 : 0.25};
  }

  function walkText(p, key) {
    var m = p['walk_' + key + '_min'];
    if (m === null || m === undefined) return 'none mapped';
    return Math.round(m) + ' min (' + A.distance(p['walk_' + key + '_m']) + '; ' +
      Math.round(p['walk_' + key + '_min_rm']) + ' min at ' + walkCfg.reduced_kmh + ' km/h)';
  }

  /* A neighbourhood layer: the same shapes and popups, its own fill and tooltip text. */
  function lsoaLayer(style, tip) {
    var group = L.geoJSON(null, {
      pane: 'choropleth',
      style: style,
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup(function () { return lsoaPopup(p); }, {maxWidth: 340, minWidth: 270});
        layer.on('click', function (e) {  // another tool (e.g. a what-if) may take clicks on the map
          var hook = window.assetmapPlanner && window.assetmapPlanner.clickHook;
          if (hook && hook(e.latlng)) { layer.closePopup(); L.DomEvent.stop(e); }
        });
        layer.bindTooltip(function () {
          return A.el('span', null, A.el('strong', {text: p.display_name || p.lsoa21_name || p.lsoa21_code}), tip(p));
        }, {sticky: true, direction: 'top', opacity: 0.95});
        layer.on({
          mouseover: function () { layer.setStyle({weight: 2.5, color: '#111111'}); layer.bringToFront(); },
          mouseout: function () { group.resetStyle(layer); }
        });
      }
    });
    return group;
  }

  var walkLayer = lsoaLayer(walkStyle, function (p) {
    return ' · ' + (walkLabels[walkKey] || '') + ': ' + walkText(p, walkKey);
  });
  var choropleth = lsoaLayer(lsoaStyle, function (p) {
    var d = p[depKey + '_decile'];
    return d ? ' · ' + (depKey === 'imd' ? 'IMD' : depLabel()) + ' decile ' + d : '';
  });
  function depLabel() {
    var m = (cfg.deprivation_measures || []).filter(function (x) { return x.key === depKey; })[0];
    return m ? m.label : depKey;
  }

  var cluster = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 45,
    spiderfyOnMaxZoom: true,
    disableClusteringAtZoom: 15,  // street level: every place on its own (css/tools.css lets clicks through groups)
    chunkedLoading: true,
    iconCreateFunction: function (c) {
      var n = c.getChildCount();
      var size = n < 10 ? 30 : n < 50 ? 36 : 44;
      var inner = A.el('div', null, A.el('span', {text: String(n)}),
                       A.el('span', {className: 'visually-hidden', text: ' places, zoom in'}));
      return L.divIcon({html: inner, className: 'marker-cluster asset-cluster', iconSize: L.point(size, size)});
    }
  });

  /* One toggle per family: while it is on the map, its markers of the categories not hidden are in the
     shared cluster group. A category hidden (from the side panel's filter, js/filter.js) stays hidden
     while the family is off and when it comes back; each change fires 'categorychange'. */
  var FamilyLayer = L.Layer.extend({
    initialize: function (family) { this.family = family; this.byCategory = {}; this.hidden = {}; this.active = false; },
    shownMarkers: function () {
      var out = [];
      Object.keys(this.byCategory).forEach(function (c) { if (!this.hidden[c]) out = out.concat(this.byCategory[c]); }, this);
      return out;
    },
    onAdd: function () { this.active = true; cluster.addLayers(this.shownMarkers()); },
    onRemove: function () { this.active = false; cluster.removeLayers(this.shownMarkers()); },
    setMarkers: function (byCategory) {
      if (this.active) cluster.removeLayers(this.shownMarkers());
      this.byCategory = byCategory;
      if (this.active) cluster.addLayers(this.shownMarkers());
    },
    isShown: function (category) { return !this.hidden[category]; },
    showCategory: function (category, show) {
      if (this.isShown(category) === !!show) return;
      this.hidden[category] = !show;
      if (this.active) cluster[show ? 'addLayers' : 'removeLayers'](this.byCategory[category] || []);
      this.fire('categorychange', {category: category, show: !!show});
    }
  });

  var families = {};
  var overlays = {};
  if (base.layer) overlays[A.swatchHtml('#f3f0e9') + ' Base map (OpenStreetMap)'] = base.layer;
  overlays['<span class="swatch decile-ramp" aria-hidden="true"></span> Deprivation (IMD 2025 decile)'] = choropleth;
  if (walkKey) overlays['<span class="swatch walk-ramp" aria-hidden="true"></span> Walking time to the nearest…'] = walkLayer;
  cfg.families.forEach(function (f) {
    if (!f.count) return;
    families[f.key] = new FamilyLayer(f);
    overlays[A.swatchHtml(f.colour) + ' ' + A.escapeHtml(f.label) + ' <span class="count">(' + f.count + ')</span>'] =
      families[f.key];
  });
  var layersControl = L.control.layers({}, overlays, {
    collapsed: window.matchMedia('(max-width: 900px)').matches, position: 'topright'
  }).addTo(map);
  // the area fitted clear of the layer panel (folded on small screens), so the panel never covers it on load
  map.fitBounds(cfg.bounds, {paddingTopLeft: [12, 12],
                             paddingBottomRight: [layersControl.getContainer().offsetWidth + 24, 12]});
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
  /* The same for walking times, titled with the place chosen. */
  var walkKeyControl = L.control({position: 'bottomleft'});
  walkKeyControl.onAdd = function () {
    var box = A.el('div', {className: 'leaflet-control map-key', role: 'group', 'aria-label': 'Walking time key'});
    box.appendChild(A.el('div', {className: 'map-key-title',
                                 text: 'Walk to nearest ' + (walkLabels[walkKey] || '').toLowerCase() + ' (min)'}));
    var row = A.el('div', {className: 'map-key-row'});
    var lower = 0;
    walkCfg.classes.forEach(function (c) {
      var chip = A.el('span', {className: 'map-key-chip', text: c.max === null ? '>' + lower : String(c.max), title: c.label});
      chip.style.backgroundColor = A.colour(c.colour);
      chip.style.color = A.colour(c.text_colour, '#000000');
      row.appendChild(chip);
      lower = c.max;
    });
    box.appendChild(row);
    L.DomEvent.disableClickPropagation(box);
    return box;
  };

  /* Neighbourhood fills are shown one at a time, each with its key on the map. */
  var fills = [];
  function registerFill(label, layer, keyControl) {
    fills.push({layer: layer, key: keyControl});
    if (label) layersControl.addOverlay(layer, label);
  }
  registerFill(null, choropleth, key);
  registerFill(null, walkLayer, walkKeyControl);
  map.on('layeradd', function (e) {
    fills.forEach(function (f) {
      if (e.layer !== f.layer) return;
      fills.forEach(function (g) { if (g !== f && map.hasLayer(g.layer)) map.removeLayer(g.layer); });
      if (f.key) f.key.addTo(map);
    });
  });
  map.on('layerremove', function (e) {
    fills.forEach(function (f) { if (e.layer === f.layer && f.key) f.key.remove(); });
  });

  choropleth.addTo(map);
  key.addTo(map);
  cluster.addTo(map);
  Object.keys(families).forEach(function (k) { families[k].addTo(map); });

  /* --- markers ------------------------------------------------------------------------ */

  var markersById = {};
  var familyShape = {};
  cfg.families.forEach(function (f, i) { familyShape[f.key] = i % 8; });

  function assetMarker(feature) {
    var p = feature.properties;
    var c = feature.geometry && feature.geometry.coordinates;
    if (!c || c.length < 2) return null;
    var cat = cfg.categories[p.category] || {label: p.category || 'Place', colour: '#555555'};
    // a shape per family as well as a colour per category, so families differ without colour
    var dot = A.el('span', {className: 'asset-dot shape-' + (familyShape[p.family] || 0)});
    dot.style.backgroundColor = A.colour(cat.colour);
    var marker = L.marker([c[1], c[0]], {
      icon: L.divIcon({className: 'asset-marker', html: dot, iconSize: [24, 24], iconAnchor: [12, 12], popupAnchor: [0, -6]}),
      keyboard: true, riseOnHover: true
    });
    var name = A.assetName(p, cat);
    marker.bindPopup(function () { return A.assetPopup(p, cfg, cfg.urls.lookup); }, {maxWidth: 300, minWidth: 200});
    marker.bindTooltip(function () { return A.el('span', {text: name}); }, {direction: 'top', offset: [0, -8]});
    marker.on('add', function () {
      var node = marker.getElement();
      if (node) node.setAttribute('aria-label', name + ', ' + cat.label);
    });
    marker.assetFamily = p.family;
    marker.assetCategory = p.category || '';
    markersById[p.asset_id] = marker;
    return marker;
  }

  function openAsset(id) {
    var marker = markersById[id];
    if (!marker) return false;
    var fam = families[marker.assetFamily];  // a place asked for is shown, whatever the filter hid
    if (fam && !fam.active) fam.addTo(map);
    if (fam) fam.showCategory(marker.assetCategory, true);
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

  base.ready.then(function () { done(); });

  /* The deprivation legend's "Shade by" form: the overall IMD or one IoD 2025 domain. */
  var depForm = document.querySelector('.dep-form');
  var depSelect = document.getElementById('dep-measure');
  function showDeprivation() {
    depKey = depSelect.value;
    choropleth.setStyle(lsoaStyle);
    if (!map.hasLayer(choropleth)) choropleth.addTo(map);
    var m = (cfg.deprivation_measures || []).filter(function (x) { return x.key === depKey; })[0];
    document.getElementById('imd-legend-title').textContent =
      depKey === 'imd' ? 'Deprivation (IMD 2025)' : 'Deprivation: ' + depLabel() + ' (IoD 2025)';
    document.querySelectorAll('#imd-legend .decile-count').forEach(function (node) {
      node.textContent = String((m && m.counts[node.getAttribute('data-decile')]) || 0);
    });
    A.status(statusNode, 'Neighbourhoods shaded by ' + depLabel().toLowerCase() + ' decile.');
  }
  if (depForm && depSelect) {
    depForm.addEventListener('submit', function (e) { e.preventDefault(); showDeprivation(); });
    depSelect.addEventListener('change', showDeprivation);
  }

  /* The side panel's "Walking time" form restyles the walking layer in place and shows it. */
  var walkForm = document.querySelector('#walk-legend .walk-form');
  var walkSelect = document.getElementById('walk-category');
  function showWalk() {
    walkKey = walkSelect.value;
    walkLayer.setStyle(walkStyle);
    if (map.hasLayer(walkLayer)) walkKeyControl.addTo(map);  // a new title
    else walkLayer.addTo(map);
    A.status(statusNode, '');
  }
  if (walkForm && walkSelect) {
    walkForm.addEventListener('submit', function (e) { e.preventDefault(); showWalk(); });
    walkSelect.addEventListener('change', showWalk);
  }

  var lsoaListeners = [];
  var lsoaData = null;
  A.fetchJSON(cfg.urls.neighbourhoods, 'neighbourhoods').then(function (data) {
    lsoaData = data;
    choropleth.addData(data);
    walkLayer.addData(data);
    lsoaListeners.forEach(function (fn) { fn(data); });
    done();
  }).catch(done);

  var assetListeners = [];
  var assetsLoaded = false;
  A.fetchJSON(cfg.urls.assets, 'community assets').then(function (data) {
    var byFamily = {};  // family -> category -> markers
    (data.features || []).forEach(function (f) {
      var m = assetMarker(f);
      if (!m) return;
      var fam = byFamily[m.assetFamily] = byFamily[m.assetFamily] || {};
      (fam[m.assetCategory] = fam[m.assetCategory] || []).push(m);
    });
    Object.keys(byFamily).forEach(function (k) { if (families[k]) families[k].setMarkers(byFamily[k]); });
    assetsLoaded = true;
    assetListeners.forEach(function (fn) { fn(); });
    done();
    openFromHash();
  }).catch(done);

  window.addEventListener('hashchange', openFromHash);

  // for scripted checks and debugging: the map and its layers
  window.assetmapPlanner = {map: map, cluster: cluster, choropleth: choropleth, walk: walkLayer, base: base.layer,
                            lsoaLayer: lsoaLayer, registerFill: registerFill, config: cfg, layers: layersControl,
                            onNeighbourhoods: function (fn) { if (lsoaData) fn(lsoaData); else lsoaListeners.push(fn); },
                            onAssets: function (fn) { if (assetsLoaded) fn(); else assetListeners.push(fn); },
                            families: families, markers: markersById, openAsset: openAsset};
})();
