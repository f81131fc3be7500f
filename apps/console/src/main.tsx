import { lazy, Suspense, useEffect, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { LoginScreen } from './LoginScreen';
import { session } from './session';

/** The console itself (antd, the router, every screen), a chunk of its own. */
const loadConsole = () => import('./ConsoleApp');
const ConsoleApp = lazy(loadConsole);

/**
 * Signed out: the sign-in, which needs nothing but React, so that it shows at once on a first visit; the console is
 * fetched and prepared while the person types. Signed in (or after signing in): the console.
 */
function Root() {
  const user = useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.user,
  );
  useEffect(() => {
    const warm = () => void loadConsole();
    if ('requestIdleCallback' in window) requestIdleCallback(warm);
    else setTimeout(warm, 200);
  }, []);
  if (!user) return <LoginScreen />;
  return (
    <Suspense fallback={<p className="console-loading">正在加载…</p>}>
      <ConsoleApp />
    </Suspense>
  );
}

createRoot(document.getElementById('root')!).render(<Root />);
