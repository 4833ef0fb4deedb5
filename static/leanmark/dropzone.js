// A file dropped anywhere on a [data-dropzone] form goes into its file input, then the form is
// sent: the same request as choosing the file and pressing the button (which still works alone).
document.querySelectorAll("[data-dropzone]").forEach((form) => {
  const input = form.querySelector("input[type=file]");
  const stop = (event) => { event.preventDefault(); event.stopPropagation(); };
  ["dragenter", "dragover"].forEach((name) => form.addEventListener(name, (event) => {
    stop(event); form.classList.add("dragging");
  }));
  ["dragleave", "drop"].forEach((name) => form.addEventListener(name, (event) => {
    stop(event); form.classList.remove("dragging");
  }));
  form.addEventListener("drop", (event) => {
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  });
});
