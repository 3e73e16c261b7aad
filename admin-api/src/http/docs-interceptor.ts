/**
 * The script /docs loads as a file (`/docs/agentcore-docs.js`; the page's CSP allows no inline script): a Swagger UI
 * request interceptor that lets "Try it out" run writes with the browser's session. For POST/PUT/PATCH/DELETE
 * without an Authorization or X-CSRF-Token header it reads the session's CSRF token from `GET /api/v1/session`
 * (the session cookie is HttpOnly; the token is in that answer) and sends it as `X-CSRF-Token`.
 */

/** The script's text (ES5, no dependencies). */
export const DOCS_INTERCEPTOR_JS = `(function () {
  'use strict';
  var UNSAFE = /^(POST|PUT|PATCH|DELETE)$/i;
  function has(headers, name) {
    for (var k in headers) if (k.toLowerCase() === name) return true;
    return false;
  }
  var sessionUrl = new URL('../api/v1/session', window.location.href).toString();
  window.agentcoreDocs = {
    requestInterceptor: function (req) {
      var headers = req.headers || (req.headers = {});
      if (!UNSAFE.test(req.method || '') || has(headers, 'authorization') || has(headers, 'x-csrf-token')) return req;
      return fetch(sessionUrl, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (s) {
          if (s && typeof s.csrfToken === 'string') headers['X-CSRF-Token'] = s.csrfToken;
          return req;
        }, function () { return req; });
    }
  };
})();
`;
