/**
 * Optional Service Worker of the resources client: a GET of …/<name>/fulldata?v=<N> is answered from Cache
 * Storage when that exact URL is cached (a version's URL never changes content), without a request. It never
 * fetches with credentials of its own and holds no token: on a miss it lets the page's request go to the network
 * untouched (the page's Authorization header included). The client fills the cache; this worker only reads it.
 */
const CACHE = new URL(self.location.href).searchParams.get('cache') || 'sluice-resources-v1';
const FULLDATA = /\/[^/]+\/fulldata$/;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || !FULLDATA.test(url.pathname) || !url.searchParams.has('v')) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(req, { ignoreVary: true });
    return hit || fetch(req);
  })());
});
