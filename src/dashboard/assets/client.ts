/**
 * The dashboard's only script, served as /assets/app.js (no inline scripts: the pages' Content
 * Security Policy allows scripts from the dashboard itself only). It switches the theme, keeps the
 * token in the tab's sessionStorage, refreshes [data-live] regions with server-rendered (escaped)
 * HTML, and sends replay and discard requests as JSON POSTs with the token in a header.
 */
export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var root = document.documentElement;
  var base = root.getAttribute('data-base') || '';
  var themeKey = 'factline-theme', tokenKey = 'factline-token', noticeKey = 'factline-notice';

  function applyTheme(t) { if (t === 'light' || t === 'dark') root.setAttribute('data-theme', t); else root.removeAttribute('data-theme'); }
  try { applyTheme(localStorage.getItem(themeKey)); } catch (e) { /* storage blocked */ }

  function token() { try { return sessionStorage.getItem(tokenKey) || ''; } catch (e) { return ''; } }
  var m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) { try { sessionStorage.setItem(tokenKey, decodeURIComponent(m[1])); } catch (e) { /* ignore */ } history.replaceState(null, '', location.pathname + location.search); }

  function notice(text, bad) {
    var n = document.getElementById('notice');
    if (!n) return;
    n.textContent = text;
    n.className = bad ? 'bad' : 'ok';
  }

  function showTokenState() {
    var state = document.getElementById('token-state');
    if (state) state.textContent = token() ? 'token set for this tab' : 'read-only until you enter the token';
  }

  document.addEventListener('DOMContentLoaded', function () {
    var toggle = document.getElementById('theme-toggle');
    if (toggle) toggle.addEventListener('click', function () {
      var current = root.getAttribute('data-theme') || (matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark');
      var next = current === 'light' ? 'dark' : 'light';
      applyTheme(next);
      try { localStorage.setItem(themeKey, next); } catch (e) { /* ignore */ }
    });

    var tokenForm = document.getElementById('token-form');
    if (tokenForm) tokenForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var input = tokenForm.querySelector('input');
      try { if (input.value) sessionStorage.setItem(tokenKey, input.value); else sessionStorage.removeItem(tokenKey); } catch (e) { /* ignore */ }
      input.value = '';
      showTokenState();
    });
    showTokenState();
    try {
      var kept = sessionStorage.getItem(noticeKey);
      if (kept) { sessionStorage.removeItem(noticeKey); notice(kept, false); }
    } catch (e) { /* ignore */ }

    document.querySelectorAll('[data-live]').forEach(function (el) {
      var url = el.getAttribute('data-live');
      var every = Number(el.getAttribute('data-every') || 2000);
      function refresh() {
        if (document.hidden) return;
        fetch(url, { headers: { accept: 'text/html' }, credentials: 'same-origin' }).then(function (r) {
          if (!r.ok) throw new Error('HTTP ' + r.status);
          return r.text();
        }).then(function (text) {
          el.innerHTML = text;
          el.removeAttribute('data-stale');
          var stamp = document.getElementById('live-state');
          if (stamp) stamp.textContent = 'live, updated ' + new Date().toLocaleTimeString();
        }).catch(function (err) {
          el.setAttribute('data-stale', '1');
          var stamp = document.getElementById('live-state');
          if (stamp) stamp.textContent = 'live updates failing: ' + err.message;
        });
      }
      setInterval(refresh, every);
    });

    document.addEventListener('submit', function (ev) {
      var form = ev.target;
      if (!form.hasAttribute || !form.hasAttribute('data-api')) return;
      ev.preventDefault();
      var t = token();
      if (!t) {
        notice('enter the dashboard token first (top right)', true);
        var input = document.querySelector('#token-form input');
        if (input) input.focus();
        return;
      }
      var question = form.getAttribute('data-confirm');
      if (question && !confirm(question)) return;
      var body = {};
      new FormData(form).forEach(function (v, k) { body[k] = v; });
      var buttons = form.querySelectorAll('button');
      buttons.forEach(function (b) { b.disabled = true; });
      fetch(form.getAttribute('data-api'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', authorization: 'Bearer ' + t },
        body: JSON.stringify(body)
      }).then(function (r) {
        return r.json().then(function (data) { return { ok: r.ok, data: data }; });
      }).then(function (res) {
        if (!res.ok) throw new Error(res.data && res.data.error ? res.data.error.message : 'request failed');
        var message = res.data.message || 'done';
        notice(message, false);
        try { sessionStorage.setItem(noticeKey, message); } catch (e) { /* ignore */ }
        location.reload();
      }).catch(function (err) {
        notice(err.message, true);
        buttons.forEach(function (b) { b.disabled = false; });
      });
    });
  });
})();
`;
