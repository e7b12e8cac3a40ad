// The inbox table refreshes itself every 30 s (htmx polling on #inbox-rows), except while focus
// is inside it, so that a keyboard user never loses their place. A file rather than an htmx
// trigger filter: filters are evaluated as code, which the Content-Security-Policy refuses.
document.addEventListener("htmx:beforeRequest", (event) => {
  const rows = event.detail.elt;
  if (rows.id === "inbox-rows" && rows.contains(document.activeElement)) {
    event.preventDefault();
  }
});
