() => {
  // Ctrl+Enter (Cmd+Enter on a Mac) in the prompt runs, as in the tools people know.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    if (!event.target.closest || !event.target.closest("#ss-prompt")) return;
    const run = document.querySelector("#ss-run");
    if (run && !run.disabled) {
      event.preventDefault();
      run.click();
    }
  }, true);
}
