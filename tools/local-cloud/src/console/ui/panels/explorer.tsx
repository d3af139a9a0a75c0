/**
 * API explorer: every route of every HTTP API with its authorizer; pick a
 * local user (or create one), fill the path's parameters and call the route.
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson, sendJson } from '../api';
import type { PanelProps } from '../panels';
import { PANEL_STYLES } from './panel-styles';

interface Route {
  routeKey: string;
  method: string;
  path: string;
  authorization: 'NONE' | 'JWT';
  authorizer?: { name: string; issuer: string; audience: string[] };
  functionName?: string;
}

interface Api {
  id: string;
  name: string;
  url: string;
  routes: Route[];
}

interface User {
  email: string;
  sub?: string;
  status?: string;
}

interface SignedIn {
  email: string;
  sub: string;
  groups: string[];
  idToken: string;
}

interface CallAnswer {
  status: number;
  body: unknown;
  durationMs: number;
}

/** `/customers/{customerId}` with the signed-in user's sub for `customerId`/`userId` (the common case), others left to fill. */
function initialPath(path: string, user: SignedIn | undefined): string {
  return path.replace(/\{(customerId|userId)\}/g, (whole) => user?.sub ?? whole);
}

export function ExplorerPanel(_: PanelProps) {
  const [apis, setApis] = useState<Api[]>();
  const [users, setUsers] = useState<User[]>([]);
  const [signedIn, setSignedIn] = useState<SignedIn>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [chosen, setChosen] = useState<{ api: Api; route: Route }>();

  const loadUsers = () => getJson<{ users: User[] }>('/_local/users').then((answer) => setUsers(answer.users), (failure: Error) => setError(failure.message));
  useEffect(() => {
    void getJson<{ apis: Api[] }>('/_local/routes').then((answer) => setApis(answer.apis), (failure: Error) => setError(failure.message));
    void loadUsers();
  }, []);

  const signIn = async (email: string, staff = false) => {
    setBusy(`Signing in ${email}…`);
    setError(undefined);
    try {
      setSignedIn(await sendJson<SignedIn>('POST', '/_local/users', { email, staff }));
      await loadUsers();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(undefined);
    }
  };

  if (!apis) return error ? <p role="alert">{error}</p> : <p>Loading…</p>;
  return (
    <section aria-labelledby="explorer-title">
      <style>{PANEL_STYLES}</style>
      <h2 id="explorer-title">API explorer</h2>
      <UserPicker users={users} signedIn={signedIn} onSignIn={(email, staff) => void signIn(email, staff)} />
      {busy ? <p aria-live="polite">{busy}</p> : null}
      {error ? <p role="alert" class="bad">{error}</p> : null}
      <div class="two-columns">
        <div>
          {apis.map((api) => (
            <table key={api.id} data-testid={`routes-${api.name}`}>
              <caption>
                {api.name} <span class="muted">{api.url}</span>
              </caption>
              <thead>
                <tr>
                  <th scope="col">Route</th>
                  <th scope="col">Authorizer</th>
                  <th scope="col">Function</th>
                </tr>
              </thead>
              <tbody>
                {api.routes.map((route) => (
                  <tr key={route.routeKey} aria-selected={chosen?.route === route}>
                    <th scope="row">
                      <button type="button" onClick={() => setChosen({ api, route })} aria-label={`Try ${route.routeKey} of ${api.name}`}>
                        {route.routeKey}
                      </button>
                    </th>
                    <td title={route.authorizer ? `${route.authorizer.issuer} · audience ${route.authorizer.audience.join(', ')}` : undefined}>
                      {route.authorization === 'JWT' ? `JWT (${route.authorizer?.name ?? '?'})` : 'none'}
                    </td>
                    <td>
                      {route.functionName ? <a href={`#/functions?name=${encodeURIComponent(route.functionName)}`}>{route.functionName.replace(/^kestrel-[a-z0-9]+-/, '')}</a> : '–'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </div>
        {chosen ? <RouteCall key={`${chosen.api.id} ${chosen.route.routeKey}`} api={chosen.api} route={chosen.route} user={signedIn} /> : <p class="muted">Pick a route to call it.</p>}
      </div>
    </section>
  );
}

function UserPicker({ users, signedIn, onSignIn }: { users: User[]; signedIn?: SignedIn; onSignIn: (email: string, staff: boolean) => void }) {
  const [email, setEmail] = useState('');
  const [staff, setStaff] = useState(false);
  return (
    <div class="card">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const picked = (event.currentTarget.elements.namedItem('user') as HTMLSelectElement).value;
          if (picked) onSignIn(picked, false);
        }}
      >
        <label>
          Local user{' '}
          <select name="user">
            {users.map((user) => (
              <option key={user.email} value={user.email}>
                {user.email} ({user.status})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={users.length === 0}>
          Use this user's token
        </button>
        <span> {signedIn ? <strong data-testid="signed-in">Calling as {signedIn.email} ({signedIn.groups.join(', ') || 'no groups'})</strong> : <span class="muted">No token: calls go without one.</span>}</span>
      </form>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onSignIn(email, staff);
        }}
      >
        <label>
          New user's email <input type="email" required value={email} onInput={(event) => setEmail((event.target as HTMLInputElement).value)} />
        </label>
        <label>
          <input type="checkbox" checked={staff} onChange={(event) => setStaff((event.target as HTMLInputElement).checked)} /> staff
        </label>
        <button type="submit">Create user</button>
        <span class="muted"> Signed up and confirmed as the app would (password local-Passw0rd-2026).</span>
      </form>
    </div>
  );
}

function RouteCall({ api, route, user }: { api: Api; route: Route; user?: SignedIn }) {
  const [path, setPath] = useState(initialPath(route.path, user));
  const [body, setBody] = useState(['POST', 'PUT', 'PATCH'].includes(route.method) ? '{}' : '');
  const [answer, setAnswer] = useState<CallAnswer>();
  const [error, setError] = useState<string>();
  useEffect(() => setPath(initialPath(route.path, user)), [user?.sub]);
  const call = async () => {
    setError(undefined);
    try {
      let parsed: unknown;
      if (body.trim()) parsed = JSON.parse(body) as unknown;
      setAnswer(await sendJson<CallAnswer>('POST', '/_local/routes/call', { apiId: api.id, method: route.method, path, token: user?.idToken, body: parsed }));
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <section aria-labelledby="call-title">
      <h3 id="call-title">
        {route.method} {route.path}
      </h3>
      <label class="block">
        Path <input value={path} onInput={(event) => setPath((event.target as HTMLInputElement).value)} />
      </label>
      {route.method === 'GET' || route.method === 'DELETE' ? null : (
        <label class="block">
          Body (JSON) <textarea rows={6} value={body} onInput={(event) => setBody((event.target as HTMLTextAreaElement).value)} spellcheck={false} />
        </label>
      )}
      <button class="primary" type="button" onClick={() => void call()}>
        Send
      </button>
      {error ? <p role="alert" class="bad">{error}</p> : null}
      {answer ? (
        <div data-testid="call-result">
          <p>
            <span class={answer.status < 300 ? 'status-2xx' : 'status-other'} data-testid="call-status">
              {answer.status}
            </span>{' '}
            in {answer.durationMs} ms
          </p>
          <pre>{JSON.stringify(answer.body, null, 2)}</pre>
        </div>
      ) : null}
    </section>
  );
}
