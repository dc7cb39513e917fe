// The new interview's question list: reorder by dragging a question's handle, or with its Up
// and Down buttons, in the page itself (without JavaScript the same buttons post the form and
// the server moves the question). The order sent is the order of the rows in the page: each
// row's hidden "q" input comes in document order. Moves are announced in the live region with
// the list's own (translated) data-moved text; this file holds no interface text of its own.
const list = document.getElementById("question-list");
const status = document.getElementById("move-status");

function rows() {
  return [...list.querySelectorAll(":scope > .question-row")];
}

function renumber() {
  const all = rows();
  all.forEach((row, index) => {
    for (const number of row.querySelectorAll(".q-number")) number.textContent = String(index + 1);
    row.querySelector('[data-move="up"]').disabled = index === 0;
    row.querySelector('[data-move="down"]').disabled = index === all.length - 1;
  });
}

function announce(row) {
  const place = rows().indexOf(row) + 1;
  status.textContent = (list.dataset.moved || "").replace("%(n)s", String(place));
}

function move(row, by) {
  const all = rows();
  const index = all.indexOf(row);
  const target = all[index + by];
  if (!target) return;
  if (by < 0) list.insertBefore(row, target);
  else list.insertBefore(row, target.nextSibling);
  renumber();
  announce(row);
}

if (list) {
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-move]");
    if (!button || !list.contains(button)) return;
    event.preventDefault();
    const row = button.closest(".question-row");
    move(row, button.dataset.move === "up" ? -1 : 1);
    // Keep the keyboard where it was; at an end the button is disabled, so take its twin.
    const twin = row.querySelector(`[data-move="${button.dataset.move === "up" ? "down" : "up"}"]`);
    (button.disabled ? twin : button).focus();
  });

  let dragged = null;
  for (const row of rows()) wire(row);

  function wire(row) {
    const handle = row.querySelector(".drag-handle");
    handle.addEventListener("pointerdown", () => { row.draggable = true; });
    row.addEventListener("dragstart", (event) => {
      dragged = row;
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.key);
    });
    row.addEventListener("dragend", () => {
      row.draggable = false;
      row.classList.remove("dragging");
      for (const other of rows()) other.classList.remove("drop-before", "drop-after");
      dragged = null;
    });
    row.addEventListener("dragover", (event) => {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      const box = row.getBoundingClientRect();
      const before = event.clientY < box.top + box.height / 2;
      row.classList.toggle("drop-before", before);
      row.classList.toggle("drop-after", !before);
    });
    row.addEventListener("dragleave", () => row.classList.remove("drop-before", "drop-after"));
    row.addEventListener("drop", (event) => {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      const before = row.classList.contains("drop-before");
      row.classList.remove("drop-before", "drop-after");
      list.insertBefore(dragged, before ? row : row.nextSibling);
      renumber();
      announce(dragged);
    });
  }
}
