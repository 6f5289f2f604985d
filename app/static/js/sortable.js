/* Sortable tables, as progressive enhancement: every <table class="sortable"> gets a button in
 * each column heading; the table reads the same without JavaScript. Cells sort by their
 * data-sort value when they have one (numbers), else by their text. */
(function () {
  'use strict';

  function key(cell) {
    if (!cell) return '';
    var v = cell.getAttribute('data-sort');
    if (v !== null) return v === '' ? null : (isNaN(Number(v)) ? v.toLowerCase() : Number(v));
    return cell.textContent.trim().toLowerCase();
  }

  function compare(a, b) {
    if (a === b) return 0;
    if (a === null) return 1;  // empty cells last
    if (b === null) return -1;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a).localeCompare(String(b), 'en-GB', {numeric: true});
  }

  function enhance(table) {
    var heads = table.querySelectorAll('thead th');
    var body = table.tBodies[0];
    if (!body) return;
    Array.prototype.forEach.call(heads, function (th, col) {
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
        var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir);
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var a = key(r1.cells[col]), b = key(r2.cells[col]);
          if (a === null || b === null) return compare(a, b);  // empty cells last either way
          var c = compare(a, b);
          return dir === 'ascending' ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    table.setAttribute('data-sortable', 'yes');
  }

  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), enhance);
})();
