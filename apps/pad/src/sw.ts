// The PAD page's service worker: the page loads with no network.
// - install: the page shell (/pad/) and every asset it references are cached;
// - navigations: network first (a new release arrives), the cached shell when offline;
// - /pad/assets/*: cache first (Vite names them by content hash); the manifest and its icons likewise;
// - GET /api/v1/rating-tags: network first, the last answer when offline.
// Everything else (signed API calls, the prompt stream) goes to the network untouched.
const sw = self as unknown as ServiceWorkerGlobalScope;

const CACHE = 'pad-v1';
const SHELL = '/pad/';
const TAGS = '/api/v1/rating-tags';

async function cacheShell(): Promise<void> {
  const cache = await caches.open(CACHE);
  const response = await fetch(SHELL, { cache: 'no-store' });
  if (!response.ok) return;
  const html = await response.clone().text();
  const assets = [...html.matchAll(/(?:src|href)="(\/pad\/[^"]+)"/g)].map((m) => m[1]!);
  await cache.put(SHELL, response);
  await cache.addAll([...new Set(assets)]);
  // The tags, for a PAD that restarts offline.
  await cache.add(TAGS).catch(() => undefined);
}

sw.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => sw.skipWaiting()));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await sw.clients.claim();
    })(),
  );
});

async function networkFirst(request: Request, key: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (request.mode === 'navigate' && url.pathname.startsWith('/pad')) event.respondWith(networkFirst(request, SHELL));
  else if (
    url.pathname.startsWith('/pad/assets/') ||
    url.pathname.startsWith('/pad/icons/') ||
    url.pathname === '/pad/manifest.webmanifest'
  )
    event.respondWith(cacheFirst(request));
  else if (url.pathname === TAGS) event.respondWith(networkFirst(request, TAGS));
});
