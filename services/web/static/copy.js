// "Copy" buttons: <button data-copy="ID" data-copied="Copied"> copies the text of element ID.
// Without script the text stays selectable in its box.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const text = source.value ?? source.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    source.select?.();
    document.execCommand?.("copy");
  }
  const label = button.textContent;
  button.textContent = button.dataset.copied || label;
  setTimeout(() => { button.textContent = label; }, 2000);
});

// "Print" buttons: <button data-print> opens the browser's print dialog (save as PDF there).
document.addEventListener("click", (event) => {
  if (event.target.closest("button[data-print]")) window.print();
});
