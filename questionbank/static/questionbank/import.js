// Bank import page: post the form with XMLHttpRequest so a large file shows its upload
// progress, then show the server's report in place. Without script the form posts as usual.
const me = document.currentScript || document.querySelector('script[src$="questionbank/import.js"]');
const form = document.getElementById("import-form");
const box = document.getElementById("import-progress");
const label = document.getElementById("import-progress-label");
const bar = box.querySelector(".bar");
const fill = bar.querySelector("span");
const percentage = document.getElementById("import-progress-percent");
const report = document.getElementById("import-report");

// The phase (uploading, checking, failed) is announced once; the percentage is shown and is
// the progress bar's value, but not read out at every step.
function show(percent, text, counting = false) {
  box.hidden = false;
  fill.style.width = `${percent}%`;
  bar.setAttribute("aria-valuenow", String(Math.round(percent)));
  if (label.textContent !== text) label.textContent = text;
  percentage.textContent = counting ? `${Math.round(percent)}%` : "";
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const data = new FormData(form);
  // The buttons are named "mode": a control named "action" would shadow form.action.
  data.set("mode", event.submitter ? event.submitter.value : "check");
  const buttons = form.querySelectorAll("button");
  buttons.forEach((button) => { button.disabled = true; });
  const request = new XMLHttpRequest();
  request.open("POST", form.getAttribute("action") || window.location.href);
  request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
  request.upload.addEventListener("progress", (progress) => {
    if (progress.lengthComputable) {
      const percent = (progress.loaded / progress.total) * 100;
      show(percent, me.dataset.uploading, true);
    }
  });
  request.upload.addEventListener("load", () => show(100, me.dataset.checking));
  request.addEventListener("load", () => {
    box.hidden = true;
    report.innerHTML = request.responseText;
    // The field's error comes back in the report: tie it to the field, as a full page does.
    const input = form.querySelector("input[type=file]");
    const fieldError = report.querySelector(`#${input.id}_error`);
    if (fieldError) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", fieldError.id);
    } else {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
    buttons.forEach((button) => { button.disabled = false; });
    // Move to the result, so a screen reader reads what the check found (and nothing else).
    const result = report.querySelector("#import-result-title, .import-report.error");
    if (result) result.focus();
  });
  request.addEventListener("error", () => {
    show(0, me.dataset.failed);
    buttons.forEach((button) => { button.disabled = false; });
  });
  show(0, me.dataset.uploading);
  request.send(data);
});
