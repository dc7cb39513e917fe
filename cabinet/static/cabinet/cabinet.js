// The cabinet's live lists: a socket says "changed", the page fetches its lists again.
// Rendering stays on the server (one template, translated there); the socket carries no data.
const box = document.getElementById("cabinet-lists");
let delay = 1000;

async function refresh() {
  const response = await fetch(box.dataset.fragmentUrl, { credentials: "same-origin" });
  if (response.ok) box.innerHTML = await response.text();
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/cabinet/`);
  socket.addEventListener("open", () => {
    delay = 1000;
    refresh(); // anything that changed while we were away
  });
  socket.addEventListener("message", () => refresh());
  socket.addEventListener("close", (event) => {
    // Logged out, not a manager, or signed out / password changed since (4410): no retry.
    if (event.code === 4401 || event.code === 4403 || event.code === 4410) return;
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  });
}

if (box) connect();
