/* Small progressive helpers; every page works without them.
   - countdowns tick in the last day before a deadline;
   - evidence inputs list the chosen files and explain a file the server would refuse;
   - forms with files upload with a progress bar (XMLHttpRequest upload progress);
   - fields that only apply to one choice (the amount of a partial refund) hide otherwise;
   - a form that comes back with errors puts the focus on its error summary;
   - texts with a limit count their characters instead of being cut. */
(function () {
  "use strict";
  var text = {};
  try { text = JSON.parse(document.getElementById("site-text").textContent); } catch (e) { /* defaults below */ }
  function fmt(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  // A form came back with errors: move focus to the summary, so screen readers read it first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  // Countdowns: the server writes "12 days left"; in the last day the script ticks hh:mm:ss.
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var left = Math.floor((Date.parse(el.getAttribute("data-deadline")) - now) / 1000);
      if (isNaN(left) || left >= 86400) { return; }
      if (left <= 0) { el.textContent = text.ended || "ended"; return; }
      var clock = pad(Math.floor(left / 3600)) + ":" + pad(Math.floor(left % 3600 / 60)) + ":" + pad(left % 60);
      el.textContent = fmt(text.left || "%(time)s left", { time: clock });
    });
  }
  tick();
  setInterval(tick, 1000);

  // Evidence inputs: list the files, explain at once a file the server would refuse.
  var KINDS = {
    "image/jpeg": "image", "image/png": "image", "image/webp": "image", "image/gif": "image",
    "video/mp4": "video", "video/webm": "video", "video/quicktime": "video", "application/pdf": "pdf"
  };
  var EXTENSIONS = { jpg: "image", jpeg: "image", png: "image", webp: "image", gif: "image",
    mp4: "video", webm: "video", mov: "video", pdf: "pdf" };
  function kindOf(file) {
    if (KINDS[file.type]) { return KINDS[file.type]; }
    var ext = (file.name.split(".").pop() || "").toLowerCase();
    return EXTENSIONS[ext] || null;
  }
  function sizeText(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }
  function checkFiles(input) {
    var list = input.parentNode.querySelector(".file-list");
    if (!list) {
      list = document.createElement("ul");
      list.className = "file-list";
      list.setAttribute("aria-live", "polite");
      input.parentNode.appendChild(list);
    }
    list.innerHTML = "";
    var problems = [];
    Array.prototype.forEach.call(input.files || [], function (file) {
      var li = document.createElement("li");
      var kind = kindOf(file);
      var limit = kind ? Number(input.getAttribute("data-max-" + kind)) : 0;
      var problem = "";
      if (!kind) {
        problem = fmt(text.badType, { name: file.name });
      } else if (limit && file.size > limit * 1048576) {
        problem = fmt(text.tooLarge, { name: file.name, size: sizeText(file.size) }) + " " +
          fmt((text.limits || {})[kind], { limit: limit });
      }
      li.textContent = problem || (file.name + " (" + sizeText(file.size) + ")");
      if (problem) { li.className = "bad"; problems.push(problem); }
      list.appendChild(li);
    });
    input.setCustomValidity(problems.join(" "));
    return problems;
  }
  document.querySelectorAll("input.evidence-input").forEach(function (input) {
    input.addEventListener("change", function () { checkFiles(input); });
  });

  // Upload with progress: only when files are chosen and the browser can report progress.
  document.querySelectorAll("form[enctype='multipart/form-data']").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var inputs = form.querySelectorAll("input[type=file]");
      var chosen = 0;
      for (var i = 0; i < inputs.length; i++) { chosen += inputs[i].files ? inputs[i].files.length : 0; }
      if (!chosen || !window.FormData || !("upload" in new XMLHttpRequest())) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
      var box = form.querySelector(".progress") || document.createElement("div");
      box.className = "progress";
      box.setAttribute("role", "status");
      box.innerHTML = "";
      var label = document.createElement("span");
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      box.appendChild(label); box.appendChild(bar);
      form.appendChild(box);
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var percent = Math.round(e.loaded / e.total * 100);
        bar.value = percent;
        label.textContent = (text.uploading || "Uploading…") + " " + percent + "% ";
        if (percent >= 100) { label.textContent = (text.processing || "Checking…") + " "; }
      });
      xhr.addEventListener("load", function () {
        // The server answered with a page (the dispute after a redirect, or the form with its
        // errors): show it as a normal navigation would, messages included.
        var url = xhr.responseURL || window.location.href;
        document.open();
        document.write(xhr.responseText);
        document.close();
        if (url !== window.location.href) { window.history.replaceState(null, "", url); }
      });
      xhr.addEventListener("error", function () {
        label.textContent = text.failed || "Upload failed.";
        buttons.forEach(function (b) { b.disabled = false; });
      });
      xhr.send(data);
    });
  });

  // Fields that apply to one choice only: <div data-show-when="resolution=partial_refund">.
  document.querySelectorAll("[data-show-when]").forEach(function (field) {
    var rule = field.getAttribute("data-show-when").split("=");
    var form = field.closest("form");
    if (!form) { return; }
    function update() {
      var chosen = form.querySelector("[name='" + rule[0] + "']:checked");
      field.hidden = !(chosen && chosen.value === rule[1]) && !field.querySelector(".errorlist");
    }
    form.addEventListener("change", update);
    update();
  });

  // Texts with a limit are never cut: a counter below says how many characters are left, and by
  // how many the text is over (the server refuses it with the same numbers).
  document.querySelectorAll("[data-max-chars]").forEach(function (input) {
    var max = Number(input.getAttribute("data-max-chars"));
    var counter = document.createElement("p");
    counter.className = "small char-count";
    counter.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", counter);
    function update() {
      var count = input.value.length;
      var over = count - max;
      counter.textContent = over > 0
        ? fmt(text.charsOver || "%(over)s characters too many: shorten the text. Nothing is cut.", { over: over })
        : fmt(text.chars || "%(count)s of %(max)s characters", { count: count, max: max });
      counter.classList.toggle("bad", over > 0);
    }
    input.addEventListener("input", update);
    update();
  });
})();
