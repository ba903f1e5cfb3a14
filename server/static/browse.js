// Browse pages: a filter applies as soon as it is chosen (the form still works without this script).
for (const select of document.querySelectorAll("select[data-autosubmit]")) {
  select.addEventListener("change", () => select.form.submit());
}
