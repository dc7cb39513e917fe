// The cabinet's live lists: a socket says "changed", the page fetches its lists again.
// Rendering stays on the server (one template, translated there); the socket carries no data.
import { ReconnectingSocket } from "../js/socket.js";

const box = document.getElementById("cabinet-lists");

async function refresh() {
  const response = await fetch(box.dataset.fragmentUrl, { credentials: "same-origin" });
  if (response.ok) box.innerHTML = await response.text();
}

if (box) {
  // Logged out, not a manager, or signed out / password changed since (4401, 4403, 4410):
  // the socket module does not retry; any other close reconnects, 1 s doubling up to 30 s.
  new ReconnectingSocket("/ws/cabinet/", {
    baseDelay: 1,
    maxDelay: 30,
    onOpen: refresh, // anything that changed while we were away
    onMessage: refresh,
  });
}
