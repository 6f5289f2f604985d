/* assetmap lookup: "Use my location". The browser's position, rounded to about 100 m here and
   again on the server, is sent once in the body of a POST (never in the address) to find the
   nearest postcode; the search then runs from that postcode as if it had been typed, keeping the
   form's other choices. Nothing is stored. Without permission (or without JavaScript) the
   postcode field is the way in, and the message says so. */
(function () {
  'use strict';

  var form = document.querySelector('form.lookup-form');
  var input = document.getElementById('postcode');
  if (!form || !input || !navigator.geolocation || !window.fetch) return;
  var field = input.closest('.field');

  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'button secondary locate-button';
  button.id = 'use-location';
  button.textContent = 'Use my location';
  var status = document.createElement('p');
  status.className = 'locate-status small';
  status.id = 'locate-status';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  field.parentNode.insertBefore(button, field.nextSibling);
  button.parentNode.insertBefore(status, button.nextSibling);

  var here = (form.getAttribute('action') || '/lookup').split('#')[0].replace(/\/$/, '') + '/here';

  function say(text, problem) {
    status.textContent = text;
    status.classList.toggle('is-problem', !!problem);
    if (problem) input.focus();
    button.disabled = false;
  }

  function round(v) { return Math.round(v * 1000) / 1000; }

  function found(pos) {
    var body = JSON.stringify({lat: round(pos.coords.latitude), lon: round(pos.coords.longitude)});
    fetch(here, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: body,
                 credentials: 'omit', cache: 'no-store'})
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
      .then(function (res) {
        if (!res.ok || !res.data.postcode) {
          say((res.data && res.data.error) || 'We could not find a postcode near you. Enter your postcode instead.', true);
          return;
        }
        input.value = res.data.postcode;
        say('Searching from ' + res.data.postcode + ', the postcode nearest to you…');
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      })
      .catch(function () { say('We could not reach the site to find your postcode. Enter your postcode instead.', true); });
  }

  function failed(err) {
    if (err && err.code === 1) {
      say('We cannot use your location: this site was not allowed to see it. ' +
          'Enter your postcode or the name of your street instead.', true);
    } else {
      say('Your phone could not tell us where you are just now. Enter your postcode or the name of your street instead.', true);
    }
  }

  button.addEventListener('click', function () {
    button.disabled = true;
    say('Finding where you are…');
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(found, failed, {enableHighAccuracy: false, timeout: 15000, maximumAge: 300000});
  });
})();
