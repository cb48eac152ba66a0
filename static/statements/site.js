// Progressive enhancement only: every page works without this file.

async function copyText(text, status, fallbackInput, message = "Copied.") {
  try {
    await navigator.clipboard.writeText(text);
    if (status) status.textContent = message;
  } catch {
    if (fallbackInput) fallbackInput.select();
    if (status) status.textContent = "Press Ctrl+C (⌘C) to copy the selected text.";
  }
}

// Copy buttons: data-copy-target names an input (its value) or any element (its text);
// data-copied is what the status line then says.
function setUpCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    const target = document.getElementById(button.dataset.copyTarget);
    const status = button.closest("section")?.querySelector("[role=status]");
    if (!target) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      const isInput = target instanceof HTMLInputElement;
      const text = isInput ? target.value : target.textContent.trim();
      copyText(text, status, isInput ? target : null, button.dataset.copied);
    });
  }
}

// "Copy link to this passage": the permalink with ?passage=<the selected words>; the server
// marks the passage in the text (statements/text/passages.py), so the link works without this file.
function setUpPassageLinks() {
  const quote = document.getElementById("quote");
  const tool = document.querySelector(".passage-tool");
  const permalink = document.getElementById("permalink");
  if (!quote || !tool || !permalink) return;
  const button = document.getElementById("passage-button");
  const output = document.getElementById("passage-link");
  const status = tool.querySelector("[role=status]");
  let passage = "";

  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    const text = selection ? selection.toString().replace(/\s+/g, " ").trim() : "";
    const inside = selection && selection.rangeCount > 0 && quote.contains(selection.getRangeAt(0).commonAncestorContainer);
    if (inside && text) {
      passage = text;
      tool.hidden = false;
      status.textContent = "";
    }
  });
  button.addEventListener("click", () => {
    if (!passage) return;
    const url = new URL(permalink.value);
    url.searchParams.set("passage", passage);
    url.hash = "passage";
    output.value = url.toString();
    output.hidden = false;
    copyText(output.value, status, output, "Link to the passage copied.");
  });
}

// After a filter is chosen (a facet option's link, ending in the option's #fragment): on a phone
// the results come first — filters folded, one tap away, and the page at the active filters, the
// count and the first results; on a wider screen the reader keeps their place (the option stays
// where it was on the screen) and keeps the focus, for keyboards; a reader choosing with the
// keyboard keeps the focus on the option on any screen. Without this file the browser goes to
// the option, unfolded.
const NARROW = "(max-width: 56rem)";
const PLACE_KEY = "facet-choice-scroll";

function rememberPlaceOnFilterChoice() {
  document.addEventListener("click", (event) => {
    const option = event.target.closest("a.facet-option");
    // A link followed with the keyboard (Enter) clicks with detail 0: that reader stays in the
    // filters, on the option, to choose the next one, whatever the screen's width.
    if (option) {
      const place = { top: option.getBoundingClientRect().top, keyboard: event.detail === 0 };
      sessionStorage.setItem(PLACE_KEY, JSON.stringify(place));
    }
  });
}

function placeAfterFilterChoice() {
  const chosen = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  const narrow = window.matchMedia(NARROW).matches;
  if (!chosen || !chosen.matches("a.facet-option")) {
    // On narrow screens the facets start folded under "Filters".
    if (narrow) for (const d of document.querySelectorAll(".filters-disclosure")) d.open = false;
    return;
  }
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(PLACE_KEY));
  } catch {}
  sessionStorage.removeItem(PLACE_KEY);
  const place = () => {
    if (narrow && !saved?.keyboard) {
      for (const d of document.querySelectorAll(".filters-disclosure")) d.open = false;
      document.getElementById("results")?.focus({ preventScroll: true });
      (document.querySelector(".active-filters") || document.querySelector(".results")).scrollIntoView({ block: "start" });
    } else {
      for (let d = chosen.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
      if (saved === null) {
        chosen.focus();
      } else {
        // The option where it was on the screen, though the page above it changed.
        chosen.focus({ preventScroll: true });
        window.scrollTo(0, window.scrollY + chosen.getBoundingClientRect().top - saved.top);
      }
    }
  };
  place();
  // The browser goes to the #fragment once the page has loaded: place it again after that.
  window.addEventListener("load", () => requestAnimationFrame(place), { once: true });
}

document.addEventListener("DOMContentLoaded", () => {
  setUpCopyButtons();
  setUpPassageLinks();
  rememberPlaceOnFilterChoice();
  placeAfterFilterChoice();
});
