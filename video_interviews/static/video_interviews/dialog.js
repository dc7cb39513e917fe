// The dashboard's "Add interview" dialog: a real <dialog>, shown modal (focus stays inside,
// Escape closes it) when its button is pressed or when the page came with ?code= (the server
// then renders it open, which also works without JavaScript). Without JavaScript the button is
// a link to ?add=1 and the dialog is an open form on the page. No interface text lives here.
const dialog = document.getElementById("add-interview");
const opener = document.getElementById("add-interview-open");
const field = document.getElementById("id_code");

function show() {
  if (dialog.open) dialog.close();
  dialog.showModal();
  if (field) {
    field.focus();
    field.select();
  }
}

if (dialog && typeof dialog.showModal === "function") {
  opener?.addEventListener("click", (event) => {
    event.preventDefault();
    show();
  });
  for (const closer of dialog.querySelectorAll("[data-closes]")) {
    closer.addEventListener("click", (event) => {
      event.preventDefault();
      dialog.close();
      opener?.focus();
    });
  }
  dialog.addEventListener("close", () => {
    // Leave ?code= / ?add=1 behind, so a reload does not open it again.
    if (location.search) history.replaceState(null, "", location.pathname);
  });
  if (dialog.hasAttribute("data-open-at-load")) show();
}
