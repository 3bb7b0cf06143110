// "Copy link" on article pages: a progressive enhancement of a plain link (no inline script,
// so the strict Content-Security-Policy holds). Without JavaScript the link opens the page.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-url]");
  if (!button || !navigator.clipboard) return;
  event.preventDefault();
  const status = document.getElementById(button.getAttribute("aria-controls"));
  try {
    await navigator.clipboard.writeText(button.dataset.copyUrl);
    if (status) status.textContent = "Link copied";
  } catch {
    if (status) status.textContent = "Copy failed: select the address bar instead";
  }
});
