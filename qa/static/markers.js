// Clicking a citation marker [n] in the chat brings its passage in the sources panel into view.
// Registered once per page on the document (the chat re-renders its messages while streaming).
if (!window.qaMarkerLinks) {
  window.qaMarkerLinks = true;
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest('a[href^="#src-"]');
      if (!link) return;
      const card = document.getElementById(link.getAttribute("href").slice(1));
      if (!card) return;
      event.preventDefault();
      event.stopPropagation();
      card.scrollIntoView({ behavior: "smooth", block: "center" });
      card.focus({ preventScroll: true });
      card.classList.remove("qa-flash");
      void card.offsetWidth; // restart the highlight animation on repeated clicks
      card.classList.add("qa-flash");
    },
    true,
  );
}
