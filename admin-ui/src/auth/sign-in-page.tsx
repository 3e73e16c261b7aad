/** Sign-in: username and password; "Sign in with …" buttons when the API reports SSO providers; back to where you were. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, FieldError, Form, Input, Label, TextField } from 'react-aria-components';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/api-error';
import { sessionQuery, signIn, ssoProvidersQuery } from '../api/session-api';
import { ErrorAlert } from '../components/query-state';
import { safeNext } from './require-session';

/** What the admin API's single sign-on refusals (`/sign-in?sso_error=CODE`) mean to the person signing in. */
const SSO_ERRORS: Record<string, string> = {
  NO_ROLE: 'You signed in with your identity provider, but none of your groups maps to a console role. Ask an owner to map one.',
  ACCOUNT_DISABLED: 'Your console account is disabled. Ask an owner.',
  PROVIDER_UNAVAILABLE: 'The identity provider did not answer. Try again in a moment.',
  REFUSED: 'The sign-in answer from the identity provider was refused (expired, replayed or not for this console). Start again.',
  UNKNOWN_PROVIDER: 'That single sign-on provider is not configured.',
};

/** The sign-in page. */
export default function SignInPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const qc = useQueryClient();
  const navigate = useNavigate();
  const session = useQuery(sessionQuery);
  const sso = useQuery(ssoProvidersQuery);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ username?: string; password?: string }>({});
  const login = useMutation({
    mutationFn: () => signIn(username, password),
    onSuccess: (s) => {
      qc.clear();
      qc.setQueryData(sessionQuery.queryKey, s);
      void navigate(next, { replace: true });
    },
  });
  if (session.data && !login.isPending) return <Navigate to={next} replace />;
  const expired = params.get('expired') === '1';
  const ssoError = params.get('sso_error');
  const err = login.error;
  return (
    <main className="signin">
      <h1>Sign in to AgentCore</h1>
      {expired && <p className="notice" role="status">Your session ended. Sign in again to continue where you were.</p>}
      {ssoError !== null && (
        <p className="alert" role="alert">
          {SSO_ERRORS[ssoError] ?? `Single sign-on failed (${ssoError}).`}
        </p>
      )}
      <Form
        className="stack"
        validationBehavior="aria"
        onSubmit={(e) => {
          e.preventDefault();
          const m = { ...(username.trim() ? {} : { username: 'Enter your username' }), ...(password ? {} : { password: 'Enter your password' }) };
          setMissing(m);
          if (!m.username && !m.password) login.mutate();
        }}
      >
        <TextField name="username" value={username} onChange={setUsername} isRequired isInvalid={!!missing.username} autoComplete="username" autoFocus>
          <Label>Username</Label>
          <Input />
          <FieldError className="field-error">{missing.username}</FieldError>
        </TextField>
        <TextField name="password" type="password" value={password} onChange={setPassword} isRequired isInvalid={!!missing.password} autoComplete="current-password">
          <Label>Password</Label>
          <Input />
          <FieldError className="field-error">{missing.password}</FieldError>
        </TextField>
        {err instanceof ApiError && err.status === 401 && (
          <p className="alert" role="alert">
            Wrong username or password.
          </p>
        )}
        {err && !(err instanceof ApiError && err.status === 401) && <ErrorAlert error={err} onRetry={() => login.mutate()} retrying={login.isPending} />}
        <Button type="submit" className="react-aria-Button primary" isDisabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </Button>
      </Form>
      {(sso.data ?? []).length > 0 && (
        <div className="stack" aria-label="Single sign-on">
          {sso.data!.map((p) => (
            <a key={p.id} className="button" href={`${p.startUrl}?returnTo=${encodeURIComponent(next)}`}>
              Sign in with {p.label}
            </a>
          ))}
        </div>
      )}
    </main>
  );
}
