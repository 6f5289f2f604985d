/* assetmap committee pack: the print button on the pack pages, and on the planner the export
   links (page with map, PDF, CSV) under a "what if" result of whatif.js, which announces each
   scenario it runs with the event "assetmap:scenario" (detail.query: the scenario's parameters). */
(function () {
  'use strict';

  var print = document.getElementById('pack-print');
  if (print) {
    print.hidden = false;
    print.addEventListener('click', function () { window.print(); });
  }

  var panel = document.getElementById('pack-panel');
  if (!panel) return;

  function link(href, text) {
    var a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    return a;
  }

  document.addEventListener('assetmap:scenario', function (e) {
    var out = document.getElementById('whatif-result');
    if (!out || !e.detail || !e.detail.query) return;
    var q = e.detail.query;
    var p = document.createElement('p');
    p.className = 'small scenario-exports';
    p.appendChild(document.createTextNode('Export: '));
    p.appendChild(link(panel.getAttribute('data-scenario-pack') + '?' + q, 'printable page with map and PDF'));
    p.appendChild(document.createTextNode(' · '));
    p.appendChild(link(panel.getAttribute('data-scenario-csv') + '?' + q + '&table=neighbourhoods', 'by neighbourhood (CSV)'));
    p.appendChild(document.createTextNode(' · '));
    p.appendChild(link(panel.getAttribute('data-scenario-csv') + '?' + q + '&table=deciles', 'by decile (CSV)'));
    out.appendChild(p);
  });
})();
