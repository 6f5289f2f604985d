/* assetmap planner: the side panel's filter of community assets by family and category
 * (planner.html's #asset-filter). Loaded after planner.js.
 *
 * The model. A family is on or off: the checkbox in its fieldset's legend and its line in the map's
 * layer control both show and set that (whether the family's layer is on the map). Inside, a checkbox
 * per category says whether that category's places show while the family is on. Switching a family off
 * disables its fieldset: its category ticks are kept, cannot be changed, and apply again when it comes
 * back on. So a marker is in the cluster group exactly when its family is on and its category ticked.
 * "Show all" switches every family on and ticks every category; "Clear all" unticks every category and
 * leaves the families as they are, so ticking one or two categories then shows just those.
 * The address keeps the filter: ?hide=<category>,… lists every category not shown (all of a family's
 * when the family is off). Opening such an address hides the same places: a family all of whose
 * categories are listed is switched off with its ticks kept, otherwise the listed ones are unticked.
 */
(function () {
  'use strict';

  var A = window.AssetMap;
  var P = window.assetmapPlanner;
  var root = document.getElementById('asset-filter');
  if (!P || !root) return;
  var countNode = document.getElementById('asset-filter-count');
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  /* one group per family fieldset: its layer, its family checkbox and its category checkboxes */
  var groups = [];
  each(root.querySelectorAll('fieldset[data-family]'), function (fs) {
    var layer = P.families[fs.getAttribute('data-family')];
    if (!layer) return;
    var g = {layer: layer, fieldset: fs, box: fs.querySelector('input[name="family"]'), cats: []};
    each(fs.querySelectorAll('input[name="category"]'), function (b) { g.cats.push(b); });
    groups.push(g);
  });

  function hiddenCategories() {
    var out = [];
    groups.forEach(function (g) {
      g.cats.forEach(function (b) { if (!g.layer.active || !g.layer.isShown(b.value)) out.push(b.value); });
    });
    return out;
  }

  function keepInAddress() {
    var params = new URLSearchParams(window.location.search);
    var hide = hiddenCategories();
    if (hide.length) params.set('hide', hide.join(',')); else params.delete('hide');
    var query = params.toString().replace(/%2C/g, ',');
    var url = window.location.pathname + (query ? '?' + query : '') + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.replaceState(window.history.state, '', url);
    }
  }

  /* The checkboxes, the count of places shown and the address, from the layers. */
  var loaded = false;
  function sync() {
    var shown = 0;
    var total = 0;
    groups.forEach(function (g) {
      g.box.checked = g.layer.active;
      g.box.disabled = false;
      g.fieldset.disabled = !g.layer.active;
      g.cats.forEach(function (b) {
        var n = (g.layer.byCategory[b.value] || []).length;
        b.checked = g.layer.isShown(b.value);
        b.disabled = false;
        total += n;
        if (g.layer.active && b.checked) shown += n;
      });
    });
    if (loaded && countNode) {
      var places = total === 1 ? ' place.' : ' places.';
      countNode.textContent = shown === total ? 'Showing all ' + A.number(total) + places
        : 'Showing ' + A.number(shown) + ' of ' + A.number(total) + places;
    }
    document.getElementById('filter-all').disabled = false;
    document.getElementById('filter-none').disabled = false;
    keepInAddress();
  }

  /* many changes at once ("Show all") make one update */
  var queued = false;
  function later() {
    if (queued) return;
    queued = true;
    Promise.resolve().then(function () { queued = false; sync(); });
  }

  groups.forEach(function (g) {
    g.box.addEventListener('change', function () {
      if (g.box.checked) g.layer.addTo(P.map); else P.map.removeLayer(g.layer);
    });
    g.cats.forEach(function (b) {
      b.addEventListener('change', function () { g.layer.showCategory(b.value, b.checked); });
    });
    g.layer.on('add remove categorychange', later);
  });

  document.getElementById('filter-all').addEventListener('click', function () {
    groups.forEach(function (g) {
      if (!g.layer.active) g.layer.addTo(P.map);
      g.cats.forEach(function (b) { g.layer.showCategory(b.value, true); });
    });
  });
  document.getElementById('filter-none').addEventListener('click', function () {
    groups.forEach(function (g) { g.cats.forEach(function (b) { g.layer.showCategory(b.value, false); }); });
  });

  /* the filter an address asked for */
  var asked = new URLSearchParams(window.location.search).get('hide');
  if (asked) {
    var hide = {};
    asked.split(',').forEach(function (k) { hide[k] = true; });
    groups.forEach(function (g) {
      var all = g.cats.length && g.cats.every(function (b) { return hide[b.value]; });
      if (all) P.map.removeLayer(g.layer);
      else g.cats.forEach(function (b) { if (hide[b.value]) g.layer.showCategory(b.value, false); });
    });
  }
  sync();
  P.onAssets(function () { loaded = true; sync(); });
})();
