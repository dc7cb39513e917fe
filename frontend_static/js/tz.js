// The browser's time zone for the login form (and the profile's "use my browser's zone"):
// every <input data-browser-zone> gets the IANA name, e.g. "Europe/Moscow". The server checks
// the name against zoneinfo; without JavaScript the field stays empty and nothing changes.
const zone = (() => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
})();

for (const input of document.querySelectorAll("input[data-browser-zone]")) {
  input.value = zone;
}
for (const slot of document.querySelectorAll("[data-browser-zone-name]")) {
  slot.textContent = zone;
}
