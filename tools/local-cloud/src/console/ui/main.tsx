/**
 * The local console's shell: navigation over the panels (`panels.ts`) with
 * hash routes, so a link like `#/traces?correlationId=…` can be shared and the
 * back button works.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { PANELS } from './panels';
import { STYLES } from './styles';

function currentRoute(): { id: string; params: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, '');
  const [id = '', query = ''] = hash.split('?');
  return { id: PANELS.some((panel) => panel.id === id) ? id : (PANELS[0]?.id ?? ''), params: new URLSearchParams(query) };
}

function Console() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const panel = PANELS.find((candidate) => candidate.id === route.id);
  const Component = panel?.component;
  return (
    <>
      <header>
        <h1>Kestrel local console</h1>
        <nav aria-label="Console sections">
          <ul>
            {PANELS.map((candidate) => (
              <li key={candidate.id}>
                <a href={`#/${candidate.id}`} aria-current={candidate.id === route.id ? 'page' : undefined}>
                  {candidate.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main">{Component ? <Component params={route.params} /> : <p>No such section.</p>}</main>
    </>
  );
}

const style = document.createElement('style');
style.textContent = STYLES;
document.head.append(style);
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<Console />, root);
}
