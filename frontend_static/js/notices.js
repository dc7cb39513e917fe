// Notices on every signed-in page: the personal socket (/ws/me/) keeps the unread count on
// the "Notices" link and shows each new notice as a toast in a polite live region, without a
// reload. Every word shown comes from the page (templates/notify/_toasts.html) or the notice.
import { ReconnectingSocket } from "./socket.js";

const region = document.getElementById("notices-toasts");
const badge = document.getElementById("notices-badge");
const counter = document.getElementById("notices-count");
const MAX_TOASTS = 3;
let unread = 0;

function showUnread(n) {
  unread = Math.max(0, n);
  if (!badge || !counter) return;
  counter.textContent = String(unread);
  badge.hidden = unread === 0;
}

function openUrl(id) {
  // data-open-url is the URL of notice 0; each notice's differs only in its id.
  return region.dataset.openUrl.replace(/\/0\/$/, `/${Number(id)}/`);
}

function dismiss(toast) {
  const next = toast.nextElementSibling || toast.previousElementSibling;
  const hadFocus = toast.contains(document.activeElement);
  toast.remove();
  if (!hadFocus) return;
  const target = next ? next.querySelector("button") : document.getElementById("nav-notices");
  if (target) target.focus();
}

function showToast(notice) {
  const toast = document.createElement("div");
  toast.className = "toast";
  toast.dataset.notice = String(notice.id);
  const title = document.createElement("a");
  title.className = "toast-title";
  title.href = openUrl(notice.id);
  title.textContent = notice.title;
  toast.append(title);
  if (notice.body) {
    const body = document.createElement("p");
    body.className = "toast-body";
    body.textContent = notice.body;
    toast.append(body);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "toast-close";
  close.setAttribute("aria-label", region.dataset.dismiss || "");
  close.textContent = "×";
  close.addEventListener("click", () => dismiss(toast));
  toast.append(close);
  region.append(toast);
  while (region.children.length > MAX_TOASTS) region.firstElementChild.remove();
}

function onFrame(frame) {
  if (frame.type === "hello" || frame.type === "unread") showUnread(frame.unread);
  else if (frame.type === "notice") {
    showUnread(unread + 1);
    showToast(frame.notice);
  }
}

if (region) {
  // Escape dismisses the toast that holds the focus.
  region.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const toast = event.target.closest(".toast");
    if (toast) {
      event.preventDefault();
      dismiss(toast);
    }
  });
  new ReconnectingSocket(region.dataset.socket, { onMessage: onFrame });
}
