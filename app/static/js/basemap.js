/* assetmap base map: the area's own OpenStreetMap extract as vector tiles (basemap.pmtiles, built
   by `assetmap build`), drawn by protomaps-leaflet on canvas. Only the tiles in view are fetched, by
   HTTP range requests to this server; labels use the browser's own sans-serif font, so nothing
   else is downloaded. The layer and kind names are those src/assetmap/tiles/basemap.py writes. */
(function () {
  'use strict';

  var A = window.AssetMap;
  var P = window.protomapsL;
  if (!A || !P) return;

  var LAND = '#f3f0e9';
  var GREEN = {park: '#cde5bd', wood: '#b5d29f', grass: '#dcecce', farmland: '#eef1dc', cemetery: '#d3e1c9',
               allotments: '#dfe7c5', pitch: '#c4e2bd', golf: '#d2e8c3'};
  var ROAD = {  // fill, casing, width at z15 (px), first zoom drawn
    motorway: ['#e9a77a', '#b5764d', 7, 8], trunk: ['#f0bf8c', '#b98653', 6.5, 8],
    primary: ['#f6cf95', '#b98f53', 6, 9], secondary: ['#f8e3a8', '#b8a56b', 5.5, 10],
    tertiary: ['#ffffff', '#b3aa9d', 5, 11], minor: ['#ffffff', '#c2b9ac', 4, 12],
    service: ['#ffffff', '#cfc7bb', 2.2, 14], track: ['#c4a980', null, 1.4, 13], path: ['#a4988a', null, 1.2, 14]
  };
  var INK = '#2d2a26', HALO = 'rgba(255,255,255,0.92)', WATER = '#a9d2e3', WATER_INK = '#2b6484';

  function kind(f) { return f.props.kind; }
  function is(k) { return function (z, f) { return kind(f) === k; }; }
  /** A line width that doubles with each zoom level, from `at15` pixels at z15 (never under `min`). */
  function grow(at15, min) { return function (z) { return Math.max(min || 0.5, at15 * Math.pow(2, (z - 15) * 0.75)); }; }

  function paintRules() {
    var rules = [
      {dataLayer: 'landcover', symbolizer: new P.PolygonSymbolizer({fill: function (z, f) { return GREEN[kind(f)] || GREEN.grass; }})},
      {dataLayer: 'water', symbolizer: new P.PolygonSymbolizer({fill: WATER})},
      {dataLayer: 'waterway', symbolizer: new P.LineSymbolizer({
        color: WATER, width: function (z, f) { return kind(f) === 'stream' ? grow(1.5, 0.6)(z) : grow(5, 1)(z); }})},
      {dataLayer: 'buildings', minzoom: 14, symbolizer: new P.PolygonSymbolizer({fill: '#e0d9ce', stroke: '#cbc1b3', width: 0.6})},
      {dataLayer: 'rail', symbolizer: new P.LineSymbolizer({color: '#8f8a84', width: grow(1.6, 0.8), dash: [6, 4], dashWidth: 1.6,
                                                            dashColor: '#8f8a84'})}
    ];
    var order = ['path', 'track', 'service', 'minor', 'tertiary', 'secondary', 'primary', 'trunk', 'motorway'];
    order.forEach(function (k) {  // casings first, then fills, so junctions join cleanly
      var s = ROAD[k];
      if (s[1]) rules.push({dataLayer: 'roads', minzoom: Math.max(s[3], 12), filter: is(k),
                            symbolizer: new P.LineSymbolizer({color: s[1], width: grow(s[2] + 1.6, 1.2), lineCap: 'round'})});
    });
    order.forEach(function (k) {
      var s = ROAD[k];
      var opts = {color: s[0], width: grow(s[2], k === 'path' ? 0.8 : 0.6), lineCap: 'round', lineJoin: 'round'};
      if (k === 'path') { opts.dash = [2, 2]; opts.dashColor = s[0]; opts.dashWidth = 1.4; }
      rules.push({dataLayer: 'roads', minzoom: s[3], filter: is(k), symbolizer: new P.LineSymbolizer(opts)});
    });
    return rules;
  }

  var PLACE_FONT = {city: [700, 18], town: [700, 16], village: [600, 14], suburb: [600, 14], hamlet: [600, 12],
                    quarter: [600, 12], neighbourhood: [500, 12], locality: [500, 11]};

  function labelRules() {
    return [
      {dataLayer: 'places', symbolizer: new P.CenteredTextSymbolizer({
        labelProps: ['name'], fill: INK, stroke: HALO, width: 3, fontFamily: 'sans-serif',
        fontWeight: function (z, f) { return (PLACE_FONT[kind(f)] || [600])[0]; },
        fontSize: function (z, f) { return (PLACE_FONT[kind(f)] || [600, 12])[1]; }})},
      {dataLayer: 'roads', minzoom: 14, filter: function (z, f) { return kind(f) !== 'path' || z >= 16; },
       symbolizer: new P.LineLabelSymbolizer({labelProps: ['name', 'ref'], fill: INK, stroke: HALO, width: 3,
                                               fontFamily: 'sans-serif', fontWeight: 500, fontSize: 12})},
      {dataLayer: 'roads', minzoom: 12, maxzoom: 13.99, filter: function (z, f) { return ROAD[kind(f)] && ROAD[kind(f)][3] <= 11; },
       symbolizer: new P.LineLabelSymbolizer({labelProps: ['ref', 'name'], fill: INK, stroke: HALO, width: 3,
                                               fontFamily: 'sans-serif', fontWeight: 600, fontSize: 11})},
      {dataLayer: 'waterway', minzoom: 13, symbolizer: new P.LineLabelSymbolizer({
        labelProps: ['name'], fill: WATER_INK, stroke: HALO, width: 2, fontFamily: 'sans-serif', fontStyle: 'italic',
        fontSize: 12})}
    ];
  }

  /** The area's vector base map as a Leaflet layer (not yet added), or null without an archive. */
  A.baseMap = function (url) {
    if (!url) return null;
    return P.leafletLayer({
      url: url, maxDataZoom: 15, maxZoom: 19, backgroundColor: LAND,
      paintRules: paintRules(), labelRules: labelRules(), attribution: ''
    });
  };
}());
