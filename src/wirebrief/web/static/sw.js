// Wirebrief's service worker: the shell (styles, scripts, icon, offline page) is kept on
// install; pages are fetched from the network first and the last 60 opened are kept, so
// the articles read recently open offline. The server writes the shell's fingerprinted
// names in, so each release installs a fresh copy.
"use strict";

const SHELL = [__SHELL__, "/offline"];
const SHELL_CACHE = "wirebrief-shell-" + SHELL.join(",");
const PAGES = "wirebrief-pages";
const MAX_PAGES = 60;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((name) => name.startsWith("wirebrief-shell-") && name !== SHELL_CACHE)
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

async function keep(request, response) {
  const cache = await caches.open(PAGES);
  await cache.delete(request); // re-added last: the cache's order is oldest first
  await cache.put(request, response);
  const kept = await cache.keys();
  await Promise.all(kept.slice(0, Math.max(0, kept.length - MAX_PAGES)).map((old) => cache.delete(old)));
}

async function page(request) {
  try {
    const response = await fetch(request);
    if (response.ok) await keep(request, response.clone());
    return response;
  } catch {
    return (await caches.match(request)) || (await caches.match("/offline"));
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
