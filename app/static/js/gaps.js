/* assetmap planner map: the gap measure's layers (gap score, need x gap, priority, double disadvantage). */
(function () {
  'use strict';

  var A = window.AssetMap;
  var P = window.assetmapPlanner;
  if (!P || !P.config.gaps) return;
  var g = P.config.gaps;
  var map = P.map;

  function fill(colour) {
    return {color: '#ffffff', weight: 0.8, opacity: 0.9, fillColor: A.colour(colour, '#bdbdbd'), fillOpacity: colour ? 0.75 : 0.25};
  }

  function keyControl(title, label, build) {
    var c = L.control({position: 'bottomleft'});
    c.onAdd = function () {
      var box = A.el('div', {className: 'leaflet-control map-key', role: 'group', 'aria-label': label});
      box.appendChild(A.el('div', {className: 'map-key-title', text: title}));
      build(box);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return c;
  }

  function chipRow(box, chips, ends) {
    var row = A.el('div', {className: 'map-key-row'});
    chips.forEach(function (c) {
      var chip = A.el('span', {className: 'map-key-chip', text: c.text, title: c.title});
      chip.style.backgroundColor = A.colour(c.colour);
      chip.style.color = A.colour(c.ink, '#000000');
      row.appendChild(chip);
    });
    box.appendChild(row);
    if (ends) box.appendChild(A.el('div', {className: 'map-key-ends'}, A.el('span', {text: ends[0]}), A.el('span', {text: ends[1]})));
  }

  function priorityClass(score) {
    if (score === null || score === undefined) return null;
    for (var i = 0; i < sel.cuts.length; i++) if (score >= sel.cuts[i]) return i;
    return sel.cuts.length;
  }

  var gap = P.lsoaLayer(function (f) { return fill(g.quintile_colours[f.properties.gap_quintile - 1]); },
    function (p) { return p.gap_score === null ? '' : ' · gap score ' + p.gap_score.toFixed(1) + ' (rank ' + p.gap_rank + ')'; });
  var gapKey = keyControl('Gap score, quintile in the area', 'Gap score key', function (box) {
    chipRow(box, g.quintile_colours.map(function (c, i) {
      return {text: String(i + 1), colour: c, ink: g.quintile_text[i], title: 'quintile ' + (i + 1)};
    }),
            ['1 = biggest gaps', '5 = smallest']);
  });

  var biv = P.lsoaLayer(function (f) { return fill(g.bivariate[f.properties.bivariate_class]); },
    function (p) { return p.bivariate_class ? ' · need tercile ' + p.need_tercile + ', gap tercile ' + p.gap_tercile : ''; });
  var bivKey = keyControl('Need × gap (terciles)', 'Need and gap key', function (box) {
    var grid = A.el('div', {className: 'bivariate-key'});
    [3, 2, 1].forEach(function (n) {
      [1, 2, 3].forEach(function (gt) {
        var cell = A.el('span', {className: 'bivariate-cell', title: 'need ' + n + ', gap ' + gt});
        cell.style.backgroundColor = A.colour(g.bivariate[n + '-' + gt]);
        grid.appendChild(cell);
      });
    });
    box.appendChild(A.el('div', {className: 'bivariate-wrap'},
                         A.el('span', {className: 'bivariate-axis-y', text: 'Need →'}), grid,
                         A.el('span', {className: 'bivariate-axis-x', text: 'Gap (walks) →'})));
    box.appendChild(A.el('div', {className: 'map-key-ends'}, A.el('span', {text: 'terciles in the area: low → high'})));
  });

  /* What the priority layer shows: the overall score unless js/priority.js picks a kind of place. */
  var sel = {value: function (p) { return p.priority_score; }, rank: function (p) { return p.priority_rank; },
             cuts: g.priority_cuts, title: 'Priority score: overall (residents × need × shortfall)'};
  var pri = P.lsoaLayer(function (f) {
    var c = priorityClass(sel.value(f.properties));
    return fill(c === null ? null : g.priority_colours[c]);
  }, function (p) {
    var v = sel.value(p);
    return v === null || v === undefined ? '' : ' · priority ' + A.number(Math.round(v)) + ' (rank ' + sel.rank(p) + ')';
  });
  var priKey = keyControl('', 'Priority key', function (box) {
    box.firstChild.textContent = sel.title;
    chipRow(box, g.priority_colours.map(function (c, i) {
      return {text: i === 0 ? 'top' : String(i + 1), colour: c, ink: g.priority_text[i],
              title: i === 0 ? 'top fifth' : 'fifth ' + (i + 1)};
    }), ['highest fifth', 'lowest or none']);
  });
  function setPriority(next) {
    sel = next;
    pri.setStyle(pri.options.style);
    if (map.hasLayer(pri)) { priKey.remove(); priKey.addTo(map); }
  }

  var outlines = L.geoJSON(null, {
    pane: 'choropleth',
    interactive: false,
    filter: function (f) { return f.properties.double_disadvantage || f.properties.left_behind_england; },
    style: function (f) {
      return f.properties.left_behind_england ? {color: '#b30000', weight: 4, fill: false}
        : {color: '#111111', weight: 3, dashArray: '6 4', fill: false};
    }
  });

  P.registerFill('<span class="swatch gap-ramp" aria-hidden="true"></span> Gap score', gap, gapKey);
  P.registerFill('<span class="swatch bivariate-swatch" aria-hidden="true"></span> Need × gap', biv, bivKey);
  P.registerFill('<span class="swatch priority-ramp" aria-hidden="true"></span> Priority score', pri, priKey);
  P.layers.addOverlay(outlines, '<span class="swatch outline-swatch" aria-hidden="true"></span> Double disadvantage (outlined)');

  P.onNeighbourhoods(function (data) {
    [gap, biv, pri, outlines].forEach(function (l) { l.addData(data); });
  });

  /* The side panel's buttons show a layer. */
  var byName = {gap: gap, bivariate: biv, priority: pri};
  var buttons = document.querySelectorAll('[data-show-layer]');
  function pressed() {  // the measure on the map shows as pressed
    buttons.forEach(function (btn) {
      var layer = byName[btn.getAttribute('data-show-layer')];
      btn.setAttribute('aria-pressed', layer && map.hasLayer(layer) ? 'true' : 'false');
    });
  }
  map.on('layeradd layerremove', pressed);
  pressed();
  buttons.forEach(function (btn) {
    btn.addEventListener('click', function () {
      var layer = byName[btn.getAttribute('data-show-layer')];
      if (layer) layer.addTo(map);
      if (!map.hasLayer(outlines)) outlines.addTo(map);
    });
  });

  P.gaps = {gap: gap, bivariate: biv, priority: pri, outlines: outlines, setPriority: setPriority};
})();
