// The arbiter back office: full-size evidence in a lightbox, and decision forms that show only
// the fields the chosen outcome uses. Everything works without this script (links open the
// file, every field is shown); it only makes the day smoother.
(function () {
  "use strict";

  function lightbox() {
    let dialog = document.getElementById("ax-lightbox");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "ax-lightbox";
    dialog.className = "ax-lightbox";
    dialog.innerHTML =
      '<img alt=""><div class="ax-lb-bar"><span class="ax-lb-name"></span>' +
      '<span><a class="ax-lb-open" target="_blank" rel="noopener">Open in a new tab</a> ' +
      '<button type="button" class="ax-lb-close">Close (Esc)</button></span></div>';
    document.body.appendChild(dialog);
    dialog.querySelector(".ax-lb-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
    return dialog;
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-ax-full]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || typeof HTMLDialogElement === "undefined") return;
    event.preventDefault();
    const dialog = lightbox();
    const img = dialog.querySelector("img");
    img.src = link.href;
    img.alt = link.dataset.axName || "";
    dialog.querySelector(".ax-lb-name").textContent = link.dataset.axName || "";
    dialog.querySelector(".ax-lb-open").href = link.href;
    dialog.showModal();
  });

  // Reply templates: choosing one puts its text in the message box (the arbiter edits it there).
  document.querySelectorAll("select[data-ax-template-for]").forEach((select) => {
    select.addEventListener("change", () => {
      const option = select.selectedOptions[0];
      const box = document.getElementById(select.dataset.axTemplateFor);
      if (option && option.dataset.axText && box) {
        box.value = option.dataset.axText;
        box.focus();
      }
    });
  });

  // Decision forms: fields carry data-ax-for="outcome1 outcome2"; hide them for other outcomes.
  function syncOutcome(form) {
    const checked = form.querySelector('input[name="outcome"]:checked');
    const value = checked ? checked.value : "";
    form.querySelectorAll("[data-ax-for]").forEach((field) => {
      const wanted = field.dataset.axFor.split(" ");
      field.hidden = value !== "" && !wanted.includes(value);
    });
  }
  document.querySelectorAll("form[data-ax-outcomes]").forEach((form) => {
    form.addEventListener("change", (event) => { if (event.target.name === "outcome") syncOutcome(form); });
    syncOutcome(form);
  });
})();
