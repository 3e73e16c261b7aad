/**
 * The server-rendered sign-in page of the authorization endpoint: plain HTML, no script, no inline style,
 * every value escaped; the authorization request travels in hidden fields with a CSRF token.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** HTML-escapes text and attribute values. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** What the page shows. */
export interface SignInPage {
  clientName: string;
  scopes: readonly string[];
  /** the authorization request parameters, sent back in hidden fields */
  hidden: ReadonlyMap<string, string>;
  csrf: string;
  error?: string;
  username?: string;
}

/** Renders the sign-in form. */
export function renderSignInPage(p: SignInPage): string {
  const hidden = [...p.hidden].map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('\n      ');
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in — AgentCore</title></head>
  <body>
    <main>
      <h1>Sign in</h1>
      <p><strong>${escapeHtml(p.clientName)}</strong> asks for access${p.scopes.length ? ` to: ${escapeHtml(p.scopes.join(', '))}` : ''}.</p>
      ${p.error ? `<p role="alert">${escapeHtml(p.error)}</p>` : ''}
      <form method="post" action="/oauth/authorize">
      ${hidden}
      <input type="hidden" name="csrf_token" value="${escapeHtml(p.csrf)}">
      <label>Username <input name="username" autocomplete="username" required value="${escapeHtml(p.username ?? '')}"></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Sign in</button>
      </form>
    </main>
  </body>
</html>
`;
}

/** Renders an error the user sees instead of a redirect (unknown client or redirect URI: never redirect there). */
export function renderErrorPage(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in error — AgentCore</title></head>
<body><main><h1>This sign-in request cannot be served</h1><p>${escapeHtml(message)}</p></main></body></html>
`;
}
