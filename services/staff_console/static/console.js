// Progressive help only: everything works without it (forms post, links link).
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    for (const input of form.querySelectorAll("input[type=date]")) {
      input.addEventListener("change", () => form.requestSubmit());
    }
  }
  const alert = document.querySelector("[role=alert]");
  if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
});
