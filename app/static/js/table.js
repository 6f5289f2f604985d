/* The neighbourhood table as a working tool (neighbourhoods.html, #nb-table and #table-tools):
 * sort by any column (a button in each heading, aria-sort; or the "Sort by" choice), choose the
 * columns, filter by name or code, and download exactly what is shown as CSV (the same columns in
 * the same order, the rows shown in their order; text a spreadsheet would run as a formula gets a
 * leading '). The address keeps the view (?sort=&dir=&cols=&q=) so a link or "Show" gives it back;
 * the server sorts and picks columns the same way (src/assetmap/serving/table.py). */
(function () {
  'use strict';

  var table = document.getElementById('nb-table');
  var form = document.getElementById('table-tools');
  if (!table || !form) return;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var body = table.tBodies[0];
  var heads = table.querySelectorAll('thead th');
  var sortSelect = document.getElementById('table-sort');
  var dirSelect = document.getElementById('table-dir');
  var filter = document.getElementById('table-filter');
  var csvButton = document.getElementById('table-csv');
  var countNode = document.getElementById('table-shown-count');
  var FIRST_DESC = {priority: true, gap: true, need: true, walk_min: true, walk_m: true, walk_min_rm: true};
  var FORMULA = /^[=+\-@\t\r]/;
  var sortKey = table.getAttribute('data-sort');
  var desc = table.getAttribute('data-dir') === 'desc';

  function value(row, key) {
    if (key === 'name') return row.cells[0].textContent.trim();
    var cell = row.querySelector('[data-col="' + key + '"]');
    var v = cell ? cell.getAttribute('data-sort') : '';
    if (v === null || v === '') return null;
    return isNaN(Number(v)) ? v : Number(v);
  }

  function code(row) { return row.id.replace(/^lsoa-/, ''); }

  function sortRows() {
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var a = value(r1, sortKey), b = value(r2, sortKey);
      if (a === null || b === null) {
        if (a !== b) return a === null ? 1 : -1;  // empty cells last either way
      } else if (a !== b) {
        var c = typeof a === 'number' && typeof b === 'number' ? a - b
          : String(a).localeCompare(String(b), 'en-GB', {numeric: true});
        if (c) return desc ? -c : c;
      }
      return code(r1) < code(r2) ? -1 : code(r1) > code(r2) ? 1 : 0;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    each(heads, function (th) {
      if (th.getAttribute('data-col') === sortKey) th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    });
    sortSelect.value = sortKey;
    dirSelect.value = desc ? 'desc' : 'asc';
    keepInAddress();
  }

  /* a button in each heading: first press sorts the column its natural way, the next reverses it */
  each(heads, function (th) {
    var key = th.getAttribute('data-col');
    th.setAttribute('data-label', th.textContent.trim());
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort-button';
    while (th.firstChild) button.appendChild(th.firstChild);
    var hint = document.createElement('span');
    hint.className = 'visually-hidden';
    hint.textContent = ' (sort)';
    button.appendChild(hint);
    th.appendChild(button);
    button.addEventListener('click', function () {
      desc = key === sortKey ? !desc : !!FIRST_DESC[key];
      sortKey = key;
      sortRows();
    });
  });
  sortSelect.addEventListener('change', function () { sortKey = sortSelect.value; sortRows(); });
  dirSelect.addEventListener('change', function () { desc = dirSelect.value === 'desc'; sortRows(); });

  /* the column chooser */
  var boxes = form.querySelectorAll('input[name="cols"]');
  function showColumns() {
    each(boxes, function (b) {
      each(table.querySelectorAll('[data-col="' + b.value + '"]'), function (cell) { cell.hidden = !b.checked; });
    });
    keepInAddress();
  }
  each(boxes, function (b) { b.addEventListener('change', showColumns); });

  /* the filter by name or code */
  function applyFilter() {
    var q = filter.value.trim().toLowerCase();
    var shown = 0;
    each(body.rows, function (r) {
      var hit = !q || (r.cells[0].textContent + ' ' + code(r)).toLowerCase().indexOf(q) >= 0;
      r.hidden = !hit;
      if (hit) shown += 1;
    });
    countNode.textContent = 'Showing ' + shown + ' of ' + body.rows.length + ' neighbourhoods.';
    keepInAddress();
  }
  filter.addEventListener('input', applyFilter);

  function keepInAddress() {
    var params = new URLSearchParams(window.location.search);
    params.set('sort', sortKey);
    params.set('dir', desc ? 'desc' : 'asc');
    var cols = [];
    each(boxes, function (b) { if (b.checked) cols.push(b.value); });
    params.set('cols', cols.join(','));
    if (filter.value.trim()) params.set('q', filter.value.trim()); else params.delete('q');
    var url = window.location.pathname + '?' + params.toString().replace(/%2C/g, ',') + window.location.hash;
    window.history.replaceState(window.history.state, '', url);
  }

  /* CSV of exactly what is shown */
  function csvField(text) {
    var t = String(text === null || text === undefined ? '' : text);
    if (FORMULA.test(t)) t = "'" + t;
    return /[",\r\n]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  }

  function csv() {
    var cols = [];
    each(heads, function (th) { if (!th.hidden) cols.push({key: th.getAttribute('data-col'), label: th.getAttribute('data-label')}); });
    var lines = [cols.map(function (c) { return csvField(c.label); }).join(',')];
    each(body.rows, function (r) {
      if (r.hidden) return;
      lines.push(cols.map(function (c) {
        var cell = c.key === 'name' ? r.cells[0] : r.querySelector('[data-col="' + c.key + '"]');
        var v = cell.getAttribute('data-sort');
        return csvField(v !== null && cell.classList.contains('num') ? v : cell.textContent.trim());
      }).join(','));
    });
    return lines.join('\r\n') + '\r\n';
  }

  csvButton.hidden = false;
  csvButton.addEventListener('click', function () {
    var blob = new Blob(['\ufeff' + csv()], {type: 'text/csv;charset=utf-8'});
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = (table.getAttribute('data-file') || 'neighbourhoods') + '.csv';
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  });

  applyFilter();
  sortRows();
  window.assetmapTable = {csv: csv};
})();
