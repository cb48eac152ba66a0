// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    const input = document.getElementById(button.dataset.copyTarget);
    const status = button.closest("section")?.querySelector("[role=status]");
    if (!input) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(input.value);
        if (status) status.textContent = "Link copied.";
      } catch {
        input.select();
        if (status) status.textContent = "Press Ctrl+C (⌘C) to copy the selected link.";
      }
    });
  }
  // On narrow screens the facets start folded under "Filters".
  if (window.matchMedia("(max-width: 56rem)").matches) {
    for (const d of document.querySelectorAll(".filters-disclosure")) d.open = false;
  }
});
