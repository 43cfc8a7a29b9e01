// nvmelab's service worker: keeps the site's own files so the page works offline once loaded.
// The build (cmake/WebSite.cmake) fills in the file list and names the cache after their hash.
'use strict';
var CACHE = 'nvmelab-@NVMELAB_CACHE_VERSION@';
var FILES = [@NVMELAB_SITE_FILES@];

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(FILES); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf('nvmelab-') === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// Network first, so a new build shows at once; the kept copy when the server is unreachable.
// URL arguments do not matter for the files (?mdts=5 loads the same page).
self.addEventListener('fetch', function (event) {
  var req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith(fetch(req).catch(function () {
    return caches.open(CACHE).then(function (c) {
      return c.match(req, { ignoreSearch: true });
    }).then(function (hit) {
      return hit || new Response('offline and not cached: ' + req.url,
                                 { status: 503, headers: { 'Content-Type': 'text/plain' } });
    });
  }));
});
