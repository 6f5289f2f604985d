/* assetmap lookup: the answer first. After a search the results heading takes the focus (a screen
   reader reads it: "10 nearest places to S41 7TD") and the page scrolls to it, so on a phone the
   first result is on the first screen, not under the form. Without JavaScript the form's action
   ends in #results, which scrolls there too; "Show more places" lands on the first new place.
   Going back to the page keeps where the reader was. */
(function () {
  'use strict';

  var heading = document.getElementById('results-title');
  if (!heading) return;
  var nav = window.performance && performance.getEntriesByType ? performance.getEntriesByType('navigation')[0] : null;
  if (nav && nav.type === 'back_forward') return;
  // "Show more places" lands on the first new place (#result-11): it takes the focus instead
  var target = heading;
  var first = /^#result-\d+$/.test(location.hash) ? document.getElementById(location.hash.slice(1)) : null;
  if (first) {
    first.setAttribute('tabindex', '-1');
    target = first;
  }
  // on a wide screen the answer is already on the first screen beside the form: keep the form in view
  var wide = window.matchMedia && window.matchMedia('(min-width: 901px)').matches;
  function answer() {
    target.focus({preventScroll: true});
    var top = target.getBoundingClientRect().top + window.scrollY;
    if (wide && target === heading && top + 200 < window.innerHeight) window.scrollTo(0, 0);
    else target.scrollIntoView({block: 'start'});
  }
  answer();
  // the browser's own move to #results (after a search from the form) comes later and takes the focus away
  window.addEventListener('load', function () { window.setTimeout(answer, 0); });
})();
