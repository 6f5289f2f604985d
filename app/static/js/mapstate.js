/* assetmap planner: the view kept in the address, so a link opens the same map. Loaded last.
 *
 *   ?layer=imd|walk|gap|bivariate|priority   the neighbourhood fill shown
 *   &measure=<IoD domain>                    "Shade by" (default the overall IMD)
 *   &walk=<category or family_<family>>      "Walk to the nearest"
 *   &category=<choice>                       "Priority for" (js/priority.js: all, family_x, a kind, kinds,…)
 *   &at=<zoom>,<lat>,<lon>                   the map's position, once it has been moved
 *   &scenario=sites:<category> | open:<category>@<lat>,<lon>   the last what-if (js/whatif.js)
 *   &hide=<category>,…                       the filter of places (js/filter.js keeps that one)
 *
 * Every change is written with history.replaceState (no new history entries); opening such an
 * address restores the view once the neighbourhoods have arrived. Unknown values are ignored. */
(function () {
  'use strict';

  var P = window.assetmapPlanner;
  if (!P) return;
  var map = P.map;
  var asked = new URLSearchParams(window.location.search);
  var depSelect = document.getElementById('dep-measure');
  var walkSelect = document.getElementById('walk-category');
  var whatifForm = document.querySelector('.whatif-form');
  var whatifSelect = document.getElementById('whatif-category');
  var clickBtn = document.getElementById('whatif-click');
  var fills = {imd: P.choropleth, walk: P.walk};
  if (P.gaps) { fills.gap = P.gaps.gap; fills.bivariate = P.gaps.bivariate; fills.priority = P.gaps.priority; }
  var scenario = null;
  var moved = false;
  var restoring = true;

  function hasOption(select, value) {
    return !!select && Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }

  function currentLayer() {
    var keys = Object.keys(fills);
    for (var i = 0; i < keys.length; i++) if (map.hasLayer(fills[keys[i]])) return keys[i];
    return null;
  }

  function write() {
    if (restoring) return;
    var params = new URLSearchParams(window.location.search);
    function put(key, value, fallback) {
      if (value && value !== fallback) params.set(key, value); else params.delete(key);
    }
    put('layer', currentLayer(), 'imd');
    put('measure', depSelect && depSelect.value, 'imd');
    put('walk', walkSelect && walkSelect.value, P.config.walk && P.config.walk.default);
    put('category', P.priority && P.priority.current(), 'all');
    if (moved) {
      var c = map.getCenter();
      params.set('at', [Math.round(map.getZoom() * 2) / 2, c.lat.toFixed(5), c.lng.toFixed(5)].join(','));
    }
    put('scenario', scenario, null);
    var query = params.toString().replace(/%2C/g, ',').replace(/%40/g, '@').replace(/%3A/g, ':');
    var url = window.location.pathname + (query ? '?' + query : '') + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.replaceState(window.history.state, '', url);
    }
  }

  /* --- what changes the view ------------------------------------------------------------ */
  map.on('layeradd layerremove', function () { setTimeout(write, 0); });
  map.on('dragstart zoomstart', function () { if (!restoring) moved = true; });
  map.on('moveend', write);
  [depSelect, walkSelect].forEach(function (s) { if (s) s.addEventListener('change', function () { setTimeout(write, 0); }); });
  if (P.priority) P.priority.onChange(function () { setTimeout(write, 0); });
  if (whatifForm) {
    whatifForm.addEventListener('submit', function () { scenario = 'sites:' + whatifSelect.value; write(); });
  }
  /* a new place opened where the map was clicked: on a neighbourhood (through P.clickHook) or elsewhere */
  function opened(ll) {
    scenario = 'open:' + whatifSelect.value + '@' + ll.lat.toFixed(5) + ',' + ll.lng.toFixed(5);
    write();
  }
  var hook = P.clickHook;
  if (hook) {
    P.clickHook = function (ll) {
      var taken = hook(ll);
      if (taken) opened(ll);
      return taken;
    };
    map.on('click', function (e) { if (clickBtn && clickBtn.getAttribute('aria-pressed') === 'true') opened(e.latlng); });
  }

  /* --- restoring an address ------------------------------------------------------------- */
  var at = /^(\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(asked.get('at') || '');
  if (at) {
    map.setView([Number(at[2]), Number(at[3])], Number(at[1]));
    moved = true;
  }

  function runScenario(text) {
    var m = /^(sites|open):([a-z_]+)(?:@(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?))?$/.exec(text || '');
    if (!m || !whatifForm || !hasOption(whatifSelect, m[2])) return;
    whatifSelect.value = m[2];
    if (m[1] === 'sites') {
      scenario = text;
      if (whatifForm.requestSubmit) whatifForm.requestSubmit(); else whatifForm.dispatchEvent(new Event('submit'));
    } else if (m[3] && clickBtn && hook) {
      clickBtn.click();  // the what-if's own route: "Open one where I click", then the point
      P.clickHook(L.latLng(Number(m[3]), Number(m[4])));
      clickBtn.click();
    }
  }

  P.onNeighbourhoods(function () {
    var measure = asked.get('measure');
    if (measure && hasOption(depSelect, measure)) { depSelect.value = measure; depSelect.dispatchEvent(new Event('change')); }
    var walk = asked.get('walk');
    if (walk && hasOption(walkSelect, walk)) walkSelect.value = walk;
    if (walk || asked.get('layer') === 'walk') walkSelect && walkSelect.dispatchEvent(new Event('change'));
    if (P.priority && asked.get('category')) P.priority.set(asked.get('category'), false);
    var layer = fills[asked.get('layer')] || fills.imd;  // the deprivation deciles unless another is asked for
    if (layer) {
      layer.addTo(map);
      if (P.gaps && layer !== fills.imd && layer !== fills.walk && !map.hasLayer(P.gaps.outlines)) P.gaps.outlines.addTo(map);
    }
    if (asked.get('scenario')) runScenario(asked.get('scenario'));
    if (at) map.setView([Number(at[2]), Number(at[3])], Number(at[1]));
    restoring = false;
    write();
  });

  P.state = {write: write};
})();
