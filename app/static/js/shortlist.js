/* assetmap shortlist: "Add to shortlist" buttons become toggles over a list kept in this tab's
 * sessionStorage; the header's Shortlist link and the shortlist page carry the list in their URL
 * (/shortlist?ids=<area>:<asset id>,…), which is all the server ever sees. No dependencies. */
(function () {
  'use strict';

  var KEY = 'assetmap-shortlist';
  var MAX = 30;
  var REF = /^[A-Za-z0-9_.-]{1,60}:[A-Za-z0-9_.~-]{1,120}$/;

  function valid(list) {
    var out = [];
    (Array.isArray(list) ? list : []).forEach(function (r) {
      if (typeof r === 'string' && REF.test(r) && out.indexOf(r) < 0 && out.length < MAX) out.push(r);
    });
    return out;
  }
  function load() {
    try { return valid(JSON.parse(window.sessionStorage.getItem(KEY) || '[]')); } catch (e) { return []; }
  }
  function save(list) {
    try { window.sessionStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* private mode: links still work */ }
  }

  var nav = document.getElementById('shortlist-nav');
  var base = nav ? nav.getAttribute('href').split('?')[0] : '/shortlist';
  function urlOf(list) { return base + (list.length ? '?ids=' + list.join(',') : ''); }

  var list = load();
  var live = document.createElement('p');
  live.className = 'visually-hidden';
  live.setAttribute('role', 'status');
  document.body.appendChild(live);

  function say(text) { live.textContent = text; }

  function count(n) { return n + (n === 1 ? ' place' : ' places'); }

  function refresh() {
    if (nav) {
      nav.setAttribute('href', urlOf(list));
      nav.textContent = list.length ? 'Shortlist (' + list.length + ')' : 'Shortlist';
    }
    Array.prototype.forEach.call(document.querySelectorAll('button.shortlist-add'), function (b) {
      var on = list.indexOf(b.getAttribute('data-shortlist-ref')) >= 0;
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
      var label = b.querySelector('.shortlist-label');
      if (label) label.textContent = on ? 'On shortlist' : 'Add to shortlist';
    });
  }

  /* The buttons: "Add<hidden name> to shortlist" -> a toggle "Add to shortlist"/"On shortlist" named
     after its place (aria-pressed says whether it is on the list). */
  Array.prototype.forEach.call(document.querySelectorAll('form.shortlist-form'), function (form) {
    var button = form.querySelector('button.shortlist-add');
    if (!button) return;
    var hidden = button.querySelector('.visually-hidden');
    var name = hidden ? hidden.textContent.trim() : '';
    button.textContent = '';
    var label = document.createElement('span');
    label.className = 'shortlist-label';
    button.appendChild(label);
    if (name) {
      var extra = document.createElement('span');
      extra.className = 'visually-hidden';
      extra.textContent = ': ' + name;
      button.appendChild(extra);
    }
    button.type = 'button';
    button.addEventListener('click', function () {
      var ref = button.getAttribute('data-shortlist-ref');
      var at = list.indexOf(ref);
      if (at >= 0) {
        list.splice(at, 1);
        say('Removed ' + name + ' from the shortlist; ' + count(list.length) + ' on it.');
      } else if (list.length >= MAX) {
        say('The shortlist is full (' + MAX + ' places). Remove one first.');
        return;
      } else {
        list.push(ref);
        say('Added ' + name + ' to the shortlist; ' + count(list.length) + ' on it.');
      }
      save(list);
      refresh();
    });
  });

  /* The shortlist page: its URL is the list (a shared link reopens it); an empty visit reopens this tab's list. */
  var dataNode = document.getElementById('shortlist-data');
  if (dataNode) {
    var data;
    try { data = JSON.parse(dataNode.textContent); } catch (e) { data = {refs: []}; }
    var given = /[?&]ids=/.test(window.location.search);
    if (!given && list.length) {
      window.location.replace(urlOf(list));
      return;
    }
    if (given) { list = valid(data.refs); save(list); }

    var status = document.getElementById('shortlist-status');
    var field = document.getElementById('shortlist-link');
    var copy = document.getElementById('shortlist-copy');
    var print = document.getElementById('shortlist-print');
    if (copy && field) {
      copy.hidden = false;
      copy.addEventListener('click', function () {
        function fallback() {
          field.select();
          var ok = false;
          try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
          status.textContent = ok ? 'Link copied.' : 'Select the link and copy it.';
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () { status.textContent = 'Link copied.'; }, fallback);
        } else {
          fallback();
        }
      });
    }
    if (print) {
      print.hidden = false;
      print.addEventListener('click', function () { window.print(); });
    }
  }
  refresh();
})();
