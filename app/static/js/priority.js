/* assetmap planner: priority for one kind of place, a family or a chosen set (planner.html's
 * #priority-form and #priority-set). Loaded after gaps.js.
 *
 * The build gives every neighbourhood priority_<category> = residents × need weight × shortfall; the
 * priority of a set of kinds is the mean of theirs (src/assetmap/serving/priority.py computes the same
 * for the table page). Choosing a kind restyles the priority layer (fifths of the neighbourhoods with a
 * shortfall; none = the lightest), retitles its key, and rewrites the "Highest priority" list with the
 * reasons (walk to the nearest, places inside). P.priority.set(key) is the way in for other scripts. */
(function () {
  'use strict';

  var A = window.AssetMap;
  var P = window.assetmapPlanner;
  var select = document.getElementById('priority-category');
  if (!P || !P.gaps || !select) return;
  var g = P.config.gaps;
  var byKey = {};
  (g.priority_choices || []).forEach(function (c) { byKey[c.key] = c; });
  var overall = byKey.all;
  var current = overall;
  var features = [];
  var boxes = document.querySelectorAll('#priority-set input[name="priority-kind"]');
  var listeners = [];

  function choiceFor(key) {
    if (byKey[key]) return byKey[key];
    var parts = [];
    String(key || '').split(',').forEach(function (k) {
      if (byKey[k] && byKey[k].group === 'category' && parts.indexOf(k) < 0) parts.push(k);
    });
    if (parts.length === 1) return byKey[parts[0]];
    if (!parts.length) return overall;
    return {key: parts.join(','), group: 'set', categories: parts,
            label: parts.map(function (k) { return byKey[k].label; }).join(', ')};
  }

  function value(p, choice) {
    if (choice.group === 'overall') return p.priority_score;
    var sum = 0;
    for (var i = 0; i < choice.categories.length; i++) {
      var v = p['priority_' + choice.categories[i]];
      if (v === null || v === undefined) return null;
      sum += v;
    }
    return Math.round(sum / choice.categories.length * 10) / 10;
  }

  function quantile(sorted, q) {  // linear, as pandas' Series.quantile
    var pos = (sorted.length - 1) * q, lo = Math.floor(pos);
    return lo + 1 < sorted.length ? sorted[lo] + (sorted[lo + 1] - sorted[lo]) * (pos - lo) : sorted[lo];
  }

  /* scores and ranks (1 = first, ties share the best) for the current choice */
  function scores() {
    var byCode = {};
    var values = [];
    features.forEach(function (f) {
      var v = value(f.properties, current);
      byCode[f.properties.lsoa21_code] = {score: v, props: f.properties};
      if (v !== null && v !== undefined) values.push(v);
    });
    values.sort(function (a, b) { return b - a; });
    Object.keys(byCode).forEach(function (k) {
      var v = byCode[k].score;
      byCode[k].rank = v === null || v === undefined ? null : values.indexOf(v) + 1;
    });
    var positive = values.filter(function (v) { return v > 0; }).reverse();
    var cuts = current.group === 'overall' || !positive.length ? g.priority_cuts
      : [0.8, 0.6, 0.4, 0.2].map(function (q) { return Math.max(quantile(positive, q), 0.05); });
    return {byCode: byCode, cuts: cuts};
  }

  function title() {
    return current.group === 'overall' ? 'Priority score: overall (residents × need × shortfall)'
      : 'Priority score for ' + current.label.toLowerCase() + ' (residents × need × shortfall)';
  }

  function reason(p) {
    if (current.categories.length !== 1) {
      var n = 0;
      current.categories.forEach(function (c) { n += p['count_' + c] || 0; });
      return n + ' of these places inside';
    }
    var c = current.categories[0];
    var m = p['walk_' + c + '_min'];
    var inside = p['count_' + c] || 0;
    return (m === null || m === undefined ? 'none within reach' : Math.round(m) + ' min walk to the nearest') +
      '; ' + (inside ? inside + ' inside' : 'none inside');
  }

  function renderTop(s) {
    var list = document.getElementById('priority-top');
    var head = document.getElementById('priority-top-title');
    if (!list) return;
    var top = Object.keys(s.byCode).map(function (k) { return s.byCode[k]; })
      .filter(function (r) { return r.score > 0; })
      .sort(function (a, b) { return a.rank - b.rank || (a.props.lsoa21_code < b.props.lsoa21_code ? -1 : 1); })
      .slice(0, 5);
    if (head) head.textContent = current.group === 'overall' ? 'Highest priority' : 'Highest priority: ' + current.label;
    while (list.firstChild) list.removeChild(list.firstChild);
    top.forEach(function (r) {
      var p = r.props;
      var extra = current.group === 'overall' ? ', IMD decile ' + p.imd_decile : ' (' + reason(p) + ')';
      list.appendChild(A.el('li', null,
        A.el('a', {href: P.config.urls.neighbourhood_page + encodeURIComponent(p.lsoa21_code),
                   text: p.lsoa21_name || p.lsoa21_code}),
        ' ', A.el('span', {className: 'small', text: '— priority ' + A.number(Math.round(r.score)) + extra})));
    });
    if (!top.length) {
      list.appendChild(A.el('li', {text: 'No neighbourhood is short of ' + current.label.toLowerCase() +
                                   ': everyone lives within ' + g.threshold_min + ' minutes’ walk.'}));
    }
    var covers = document.getElementById('priority-covers');
    if (covers && !covers.hasAttribute('data-overall')) covers.setAttribute('data-overall', covers.textContent);
    if (covers) {
      covers.textContent = current.group === 'overall' || current.group === 'category'
        ? covers.getAttribute('data-overall')
        : 'This layer covers ' + current.categories.map(function (k) { return byKey[k].label; }).join(', ') + '.';
    }
    var link = document.getElementById('priority-table-link');
    if (!link && P.config.urls.table) {
      link = A.el('a', {id: 'priority-table-link', text: 'Every neighbourhood by this priority (table)'});
      list.parentNode.insertBefore(A.el('p', {className: 'small'}, link), list.nextSibling);
    }
    if (link) link.href = P.config.urls.table + '?category=' + encodeURIComponent(current.key) + '&sort=priority';
  }

  function apply() {
    var s = scores();
    P.gaps.setPriority({
      value: function (p) { var r = s.byCode[p.lsoa21_code]; return r ? r.score : null; },
      rank: function (p) { var r = s.byCode[p.lsoa21_code]; return r ? r.rank : null; },
      cuts: s.cuts, title: title()
    });
    if (features.length) renderTop(s);
  }

  function syncControls() {
    var single = current.group !== 'set';
    if (single) select.value = current.key;
    Array.prototype.forEach.call(boxes, function (b) {
      b.checked = current.group !== 'overall' && current.group !== 'family' && current.categories.indexOf(b.value) >= 0;
    });
    var setOption = select.querySelector('option[data-set]');
    if (!single) {
      if (!setOption) {
        setOption = A.el('option', {'data-set': 'yes'});
        select.insertBefore(setOption, select.firstChild.nextSibling);
      }
      setOption.value = current.key;
      setOption.textContent = 'Several kinds (' + current.categories.length + ')';
      select.value = current.key;
    } else if (setOption) {
      setOption.parentNode.removeChild(setOption);
    }
  }

  /* choose what the priority layer covers; show: put the layer on the map */
  function set(key, show) {
    current = choiceFor(key);
    syncControls();
    apply();
    if (show) {
      P.gaps.priority.addTo(P.map);
      if (!P.map.hasLayer(P.gaps.outlines)) P.gaps.outlines.addTo(P.map);
      A.status(document.getElementById('map-status'), 'Neighbourhoods shaded by ' + title().toLowerCase() + '.');
    }
    listeners.forEach(function (fn) { fn(current.key); });
  }

  var form = document.getElementById('priority-form');
  if (form) form.addEventListener('submit', function (e) { e.preventDefault(); set(select.value, true); });
  select.addEventListener('change', function () { set(select.value, true); });
  Array.prototype.forEach.call(boxes, function (b) {
    b.addEventListener('change', function () {
      var ticked = [];
      Array.prototype.forEach.call(boxes, function (x) { if (x.checked) ticked.push(x.value); });
      set(ticked.length ? ticked.join(',') : 'all', true);
    });
  });

  P.onNeighbourhoods(function (data) { features = data.features || []; apply(); });
  P.priority = {set: set, current: function () { return current.key; },
                onChange: function (fn) { listeners.push(fn); }};
})();
