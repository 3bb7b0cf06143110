// The reader's keyboard shortcuts, marking read on open, and the offline web app. Every
// action is also a plain form or link, so the reader works without this script.
"use strict";

const holder = document.querySelector("[data-csrf]");
const csrf = holder ? holder.dataset.csrf : "";

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => {});
}

function post(url) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    keepalive: true,
    headers: { Accept: "application/json" },
    body: new URLSearchParams({ csrf }),
  });
}

// An article page opened by a signed-in reader marks its family read.
const opened = document.querySelector("[data-mark-read]");
if (opened && navigator.onLine) post(`/reader/items/${opened.dataset.markRead}/read`);

const items = Array.from(document.querySelectorAll(".items > .item"));
let current = -1;

function select(index) {
  if (!items.length) return;
  current = Math.max(0, Math.min(items.length - 1, index));
  items.forEach((item, i) => item.classList.toggle("selected", i === current));
  const link = items[current].querySelector(".item-link");
  link.focus();
  link.scrollIntoView({ block: "nearest" });
}

function selected() {
  if (current < 0 && document.activeElement) {
    const item = document.activeElement.closest(".item");
    if (item) current = items.indexOf(item);
  }
  return items[current] || null;
}

async function toggle(item, flag, on, off, button, labels) {
  const id = item.dataset.item;
  const now = item.dataset[flag] === "true";
  const response = await post(`/reader/items/${id}/${now ? off : on}`);
  if (!response.ok) return;
  item.dataset[flag] = String(!now);
  const control = item.querySelector(`[data-action="${button}"]`);
  if (control) {
    control.textContent = labels[now ? 0 : 1];
    control.form.action = `/reader/items/${id}/${now ? on : off}`;
  }
  if (flag === "read") item.classList.toggle("unread", now);
  announce(`${labels[now ? 2 : 3]}`);
}

function toggleRead(item) {
  return toggle(item, "read", "read", "unread", "toggle-read",
    ["Mark read", "Mark unread", "Marked unread", "Marked read"]);
}

function toggleStar(item) {
  return toggle(item, "starred", "star", "unstar", "toggle-star",
    ["Star", "Unstar", "Unstarred", "Starred"]);
}

function announce(text) {
  let status = document.getElementById("reader-status");
  if (!status) {
    status = document.createElement("p");
    status.id = "reader-status";
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    document.body.append(status);
  }
  status.textContent = text;
}

let pendingG = false;
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest("input, textarea, select, [contenteditable]")) return;
  const dialog = document.getElementById("shortcuts");
  if (dialog && dialog.open) return;
  const key = event.key;
  if (pendingG) {
    pendingG = false;
    const views = { a: "all", u: "unread", s: "starred" };
    if (views[key]) {
      event.preventDefault();
      location.href = `/reader?view=${views[key]}`;
    }
    return;
  }
  const item = selected();
  const article = opened && !items.length ? opened : null;
  switch (key) {
    case "j": event.preventDefault(); select(current + 1); break;
    case "k": event.preventDefault(); select(current - 1); break;
    case "o":
      if (item) { event.preventDefault(); item.querySelector(".item-link").click(); }
      break;
    case "m":
      if (item) { event.preventDefault(); toggleRead(item); }
      else if (article) { event.preventDefault(); post(`/reader/items/${article.dataset.markRead}/unread`).then(() => announce("Marked unread")); }
      break;
    case "s":
      if (item) { event.preventDefault(); toggleStar(item); }
      else if (article) { event.preventDefault(); post(`/reader/items/${article.dataset.markRead}/star`).then(() => announce("Starred")); }
      break;
    case "r": event.preventDefault(); location.reload(); break;
    case "/": event.preventDefault(); location.href = "/search"; break;
    case "g": pendingG = true; setTimeout(() => { pendingG = false; }, 1500); break;
    case "?":
      if (dialog) { event.preventDefault(); dialog.showModal(); }
      break;
  }
});
