/* assetmap: helpers shared by the map pages.
 *
 * Every piece of data reaches the page as text: elements are built with createElement and
 * textContent, never by parsing HTML, and links are only made from http(s) URLs.
 */
(function () {
  'use strict';

  var COLOUR = /^#[0-9a-fA-F]{6}$/;
  var HTTP = /^https?:\/\/[^\s]+$/i;
  var EMAIL = /^[^\s@<>"']+@[^\s@<>"']+\.[^\s@<>"']+$/;
  var OSM_REF = /^(node|way|relation)\/(\d+)$/;

  /** el('p', {className: 'x'}, 'text', otherElement): an element with text and element children. */
  function el(tag, props) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        if (k === 'className') node.className = props[k];
        else if (k === 'text') node.textContent = props[k];
        else node.setAttribute(k, props[k]);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === 'string' || typeof child === 'number'
        ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function colour(value, fallback) {
    return COLOUR.test(value || '') ? value : (fallback || '#555555');
  }

  function httpUrl(value) {
    if (typeof value !== 'string') return null;
    var v = value.trim();
    if (!HTTP.test(v)) return null;
    try {
      var u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  /** Text for use inside Leaflet's layer control, which takes HTML: every special character escaped. */
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function swatch(value, extraClass) {
    var s = el('span', {className: 'swatch' + (extraClass ? ' ' + extraClass : ''), 'aria-hidden': 'true'});
    s.style.backgroundColor = colour(value);
    return s;
  }

  function swatchHtml(value) {
    // a palette class (gen/palette.css), never a style attribute: the CSP allows no inline styles
    return '<span class="swatch bg-' + colour(value).slice(1).toLowerCase() + '" aria-hidden="true"></span>';
  }

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function fetchJSON(url, what) {
    return fetch(url, {credentials: 'same-origin', headers: {Accept: 'application/geo+json, application/json'}})
      .then(function (resp) {
        if (!resp.ok) throw new Error('could not load ' + what + ' (HTTP ' + resp.status + ')');
        return resp.json();
      });
  }

  function number(n) {
    return (n === null || n === undefined) ? '–' : Number(n).toLocaleString('en-GB');
  }

  function distance(m) {
    if (m === null || m === undefined) return '–';
    if (m < 1000) return Math.round(m) + ' m';
    return (m < 10000 ? (m / 1000).toFixed(1) : Math.round(m / 1000)) + ' km';
  }

  /** Status line over the map: a message, or hidden when there is nothing to say. */
  function status(node, message, isError) {
    if (!node) return;
    node.textContent = message || '';
    node.hidden = !message;
    node.classList.toggle('error', !!isError);
  }

  /* --- basemap ------------------------------------------------------------------------ */

  /** What a map is drawn over: the online tile layer a deployment configures, else the area's own
      vector base map (basemap.js). `ready` settles once the tiles in view are drawn. */
  function backdrop(map, cfg) {
    var layer = tileLayer(cfg.tiles) || (window.AssetMap.baseMap ? window.AssetMap.baseMap(cfg.basemap) : null);
    if (!layer) return {layer: null, ready: Promise.resolve()};
    var ready = new Promise(function (resolve) { layer.once('load', function () { resolve(); }); });
    layer.addTo(map);
    return {layer: layer, ready: ready};
  }

  function tileLayer(tiles) {
    if (!tiles || !tiles.url) return null;
    return L.tileLayer(tiles.url, {maxZoom: 19, crossOrigin: true});
  }

  /* --- attribution ---------------------------------------------------------------------- */

  /** The map's attribution: the short required credits, expandable to every source's line. */
  function attributionControl(map, attribution, tiles) {
    var control = L.control({position: 'bottomright'});
    control.onAdd = function () {
      var box = el('div', {className: 'leaflet-control leaflet-control-attribution am-attribution'});
      var details = el('details');
      var summary = el('summary', null,
        attribution.short.reduce(function (span, line, i) {  // one span per credit: a phone shows the first
          span.appendChild(el('span', {className: 'am-attr-item', text: (i ? ' · ' : '') + line}));
          return span;
        }, el('span', {className: 'am-attr-short'})),
        el('span', {className: 'am-attr-more', text: 'Sources'}));
      var list = el('ul');
      attribution.lines.forEach(function (line) { list.appendChild(el('li', {text: line})); });
      if (tiles && tiles.attribution) list.appendChild(el('li', {text: 'Map tiles: ' + tiles.attribution}));
      list.appendChild(el('li', null, 'Map display: ',
        el('a', {href: 'https://leafletjs.com/', rel: 'noopener noreferrer', target: '_blank', text: 'Leaflet'})));
      details.appendChild(summary);
      details.appendChild(list);
      box.appendChild(details);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    return control;
  }

  /* --- asset popups --------------------------------------------------------------------- */

  function assetName(p, cat) {
    return p.name || ('Unnamed ' + String(cat.label || p.category || 'place').toLowerCase());
  }

  function sourceItem(source, labels) {
    var s = String(source);
    var cut = s.indexOf(':');
    var key = cut > 0 ? s.slice(0, cut) : s;
    var ref = cut > 0 ? s.slice(cut + 1) : '';
    var m = OSM_REF.exec(ref);
    if (key === 'osm' && m) {
      return el('a', {href: 'https://www.openstreetmap.org/' + m[1] + '/' + m[2], rel: 'noopener noreferrer',
                      target: '_blank', text: 'OpenStreetMap ' + m[1] + ' ' + m[2]});
    }
    return el('span', {text: labels[key] || key});
  }

  /** The popup for one asset feature's properties, as a DOM element. */
  function assetPopup(p, cfg, lookupUrl) {
    var cat = cfg.categories[p.category] || {label: p.category || 'Place', colour: '#555555'};
    var box = el('div', {className: 'popup asset-popup'});
    box.appendChild(el('h3', {className: 'popup-title', text: assetName(p, cat)}));

    var catLine = el('p', {className: 'popup-category'}, swatch(cat.colour), cat.label);
    var others = (p.categories || []).filter(function (c) { return c !== p.category && cfg.categories[c]; });
    if (others.length) {
      catLine.appendChild(document.createTextNode(' · also ' + others.map(function (c) {
        return cfg.categories[c].label.toLowerCase();
      }).join(', ')));
    }
    box.appendChild(catLine);

    var address = [p.address, p.postcode && (!p.address || p.address.indexOf(p.postcode) < 0) ? p.postcode : null]
      .filter(Boolean).join(', ');
    if (address) box.appendChild(el('p', {className: 'popup-address', text: address}));
    if (p.opening_hours) {
      box.appendChild(el('p', {className: 'popup-hours'}, el('span', {className: 'label', text: 'Opening hours: '}),
                         String(p.opening_hours)));
    }
    if (p.description) {
      var d = String(p.description);
      box.appendChild(el('p', {className: 'popup-description', text: d.length > 280 ? d.slice(0, 277) + '…' : d}));
    }

    var contact = el('p', {className: 'popup-contact'});
    var url = httpUrl(p.website);
    if (url) {
      contact.appendChild(el('a', {href: url, rel: 'noopener noreferrer nofollow', target: '_blank', text: 'Website'}));
    } else if (p.website) {
      contact.appendChild(el('span', {text: 'Website: ' + p.website}));
    }
    if (p.phone) {
      var digits = String(p.phone).replace(/[^0-9+]/g, '');
      contact.appendChild(digits.length >= 6
        ? el('a', {href: 'tel:' + digits, text: String(p.phone)}) : el('span', {text: String(p.phone)}));
    }
    if (p.email && EMAIL.test(String(p.email))) {
      contact.appendChild(el('a', {href: 'mailto:' + p.email, text: String(p.email)}));
    }
    if (contact.childNodes.length) box.appendChild(contact);

    if (p.sources && p.sources.length) {
      var src = el('p', {className: 'popup-sources'}, el('span', {className: 'label', text: 'Sources: '}));
      p.sources.forEach(function (s, i) {
        if (i) src.appendChild(document.createTextNode(', '));
        src.appendChild(sourceItem(s, cfg.source_labels || {}));
      });
      box.appendChild(src);
    }
    if (cfg.urls && cfg.urls.asset_page && p.asset_id) {
      box.appendChild(el('p', {className: 'popup-actions'},
        el('a', {href: cfg.urls.asset_page + encodeURIComponent(p.asset_id), text: 'More about this place'})));
    }
    if (p.postcode && lookupUrl) {
      box.appendChild(el('p', {className: 'popup-actions'},
        el('a', {href: lookupUrl + '?' + new URLSearchParams({postcode: p.postcode}).toString(),
                 text: 'What else is near ' + p.postcode + '?'})));
    }
    return box;
  }

  window.AssetMap = {
    el: el, colour: colour, httpUrl: httpUrl, escapeHtml: escapeHtml, swatch: swatch, swatchHtml: swatchHtml,
    readJSON: readJSON, fetchJSON: fetchJSON, number: number, distance: distance,
    status: status, backdrop: backdrop, tileLayer: tileLayer, attributionControl: attributionControl,
    assetName: assetName, assetPopup: assetPopup
  };
})();
