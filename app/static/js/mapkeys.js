/* assetmap planner map from the keyboard: every neighbourhood shape is a focusable button named
 * "<neighbourhood>, IMD decile N"; Enter or Space opens its popup and moves focus to the popup's
 * first link (the neighbourhood profile); Escape closes the popup and puts focus back where it was.
 * Markers (Leaflet's own keyboard support) get the same focus handling. Loaded after planner.js. */
(function () {
  'use strict';

  var P = window.assetmapPlanner;
  if (!P) return;
  var map = P.map;
  var container = map.getContainer();
  var opener = null;

  /* Tab order follows the DOM, not the painting order (z-index): put the neighbourhood shapes
     before the markers, so a shape is a Tab or two after the map. */
  var shapes = map.getPane('choropleth');
  if (shapes) map.getPane('mapPane').insertBefore(shapes, map.getPane('overlayPane'));

  function shapeName(p) {
    var name = p.display_name || p.lsoa21_name || p.lsoa21_code;
    return name + (p.imd_decile ? ', IMD decile ' + p.imd_decile : ', IMD decile not available');
  }

  function openShape(layer) {
    opener = layer.getElement();
    var centre = layer.getBounds ? layer.getBounds().getCenter() : null;
    layer.openPopup(centre);
  }

  /* Every neighbourhood shape of every fill layer (deprivation, walking time, gaps), as it is drawn. */
  map.on('layeradd', function (e) {
    var layer = e.layer;
    var p = layer.feature && layer.feature.properties;
    var node = layer.getElement && layer.getElement();
    if (!p || !p.lsoa21_code || !node || !layer.getPopup || !layer.getPopup()) return;
    node.setAttribute('tabindex', '0');
    node.setAttribute('role', 'button');
    node.setAttribute('aria-label', shapeName(p));
    if (node.getAttribute('data-keys')) return;
    node.setAttribute('data-keys', 'yes');
    node.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        openShape(layer);
      }
    });
  });

  /* A marker opened from the keyboard (Leaflet turns Enter into a click) remembers its element too. */
  container.addEventListener('keydown', function (ev) {
    var t = ev.target;
    if ((ev.key === 'Enter' || ev.key === ' ') && t.classList && t.classList.contains('leaflet-marker-icon')) opener = t;
  }, true);

  map.on('popupopen', function (e) {
    if (!opener) return;
    var first = e.popup.getElement().querySelector('.leaflet-popup-content a[href], .leaflet-popup-content button');
    (first || e.popup.getElement().querySelector('.leaflet-popup-close-button') || container).focus();
  });

  map.on('popupclose', function () {
    var back = opener;
    opener = null;
    if (back && document.body.contains(back) && (!document.activeElement || document.activeElement === document.body ||
                                                 container.contains(document.activeElement))) {
      back.focus();
    }
  });

  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape' || !map._popup || !map.hasLayer(map._popup)) return;
    if (!container.contains(document.activeElement) && document.activeElement !== document.body) return;
    ev.preventDefault();
    map.closePopup();
  });
})();
