/* The dashboard editor's enhancements (docs/dashboard.md, "Images, preview and shortcuts").
 * The form works without this file; it only adds:
 * - a live preview: the body is posted to /dashboard/preview (debounced) and the answer,
 *   sanitised HTML rendered as the blog renders it, shown in #preview;
 * - images dropped or pasted onto the body, or picked in the file input: each is uploaded
 *   to /dashboard/media after asking for its alt text, and its Markdown inserted at the cursor;
 * - shortcuts: Ctrl/Cmd+S saves, Ctrl/Cmd+Enter publishes.
 * Plain JavaScript, no build step, no outside requests (CSP: script-src 'self', connect-src 'self').
 */
(function () {
  "use strict";

  var form = document.getElementById("editor");
  var body = document.getElementById("content");
  if (!form || !body || form.dataset.enhanced) { return; }
  form.dataset.enhanced = "1";

  var preview = document.getElementById("preview");
  var picker = form.querySelector('input[type="file"][name="images"]');
  var altField = form.querySelector('[name="images_alt"]');
  var status = document.getElementById("editor-media-status");
  var csrfInput = form.querySelector('input[name="csrf"]');
  var csrf = csrfInput ? csrfInput.value : "";
  var DELAY = 400;
  var timer = null;
  var sequence = 0;

  function say(message, isError) {
    if (!status) { return; }
    status.textContent = message;
    status.className = isError ? "bad" : "muted";
  }

  /* --- live preview --------------------------------------------------------------------- */

  function refreshPreview() {
    if (!preview) { return; }
    var mine = ++sequence;
    var data = new URLSearchParams();
    data.set("csrf", csrf);
    data.set("content", body.value);
    fetch("/dashboard/preview", {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf }
    }).then(function (response) {
      if (response.redirected || !(response.headers.get("content-type") || "").startsWith("text/html")) {
        throw new Error("Your session ended: sign in again to see the preview.");
      }
      return response.text();
    }).then(function (html) {
      if (mine === sequence) { preview.innerHTML = html; }
    }).catch(function (error) {
      if (mine === sequence) { preview.textContent = error.message; }
    });
  }

  function schedulePreview() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refreshPreview, DELAY);
  }

  if (preview) {
    preview.setAttribute("data-live", "1");
    body.addEventListener("input", schedulePreview);
    if (body.value.trim() && !preview.innerHTML.trim()) { refreshPreview(); }
  }

  /* --- images ---------------------------------------------------------------------------- */

  function insertAtCursor(text) {
    var start = body.selectionStart, end = body.selectionEnd, value = body.value;
    var before = value.slice(0, start), after = value.slice(end);
    var lead = before && !before.endsWith("\n") ? "\n\n" : "";
    var trail = after && !after.startsWith("\n") ? "\n\n" : "\n";
    body.value = before + lead + text + trail + after;
    var caret = (before + lead + text + trail).length;
    body.setSelectionRange(caret, caret);
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function channelOf() {
    if (form.dataset.channel) { return form.dataset.channel; }
    var field = form.querySelector('[name="channel"]');
    return field && field.value ? field.value : "";
  }

  function askAlt(file, suggested) {
    var answer = window.prompt(
      "Describe the image " + (file.name ? "“" + file.name + "” " : "") +
      "for readers who cannot see it (alt text):", suggested || "");
    return answer === null ? null : answer.trim();
  }

  function upload(file, alt) {
    var data = new FormData();
    data.append("csrf", csrf);
    data.append("alt", alt);
    data.append("image", file, file.name || "image");
    var channel = channelOf();
    if (channel) { data.append("channel_id", channel); }
    say("Uploading " + (file.name || "the image") + "…", false);
    return fetch("/dashboard/media", {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () {
        return { error: "The upload failed (" + response.status + ")." };
      });
    }).then(function (answer) {
      if (answer.markdown) {
        insertAtCursor(answer.markdown);
        say("Inserted " + (file.name || "the image") + ".", false);
        return true;
      }
      say((file.name ? file.name + ": " : "") + (answer.error || "The upload failed."), true);
      return false;
    }, function () {
      say("The upload failed: the server could not be reached.", true);
      return false;
    });
  }

  function uploadAll(files, suggestions) {
    var images = Array.prototype.filter.call(files, function (f) {
      return !f.type || f.type.indexOf("image/") === 0;
    });
    var chain = Promise.resolve(true);
    images.forEach(function (file, index) {
      chain = chain.then(function () {
        var alt = askAlt(file, suggestions ? suggestions[index] : "");
        if (alt === null) { say("Upload of " + file.name + " cancelled.", false); return false; }
        if (!alt) { say("An image needs alt text; " + file.name + " was not uploaded.", true); return false; }
        return upload(file, alt);
      });
    });
    return chain;
  }

  body.addEventListener("dragover", function (event) {
    if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    }
  });
  body.addEventListener("drop", function (event) {
    var files = event.dataTransfer ? event.dataTransfer.files : null;
    if (!files || !files.length) { return; }
    event.preventDefault();
    body.focus();
    uploadAll(files);
  });
  body.addEventListener("paste", function (event) {
    var files = event.clipboardData ? event.clipboardData.files : null;
    if (!files || !files.length) { return; }
    event.preventDefault();
    uploadAll(files);
  });
  if (picker) {
    picker.addEventListener("change", function () {
      if (!picker.files || !picker.files.length) { return; }
      var suggestions = altField ? altField.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean) : [];
      uploadAll(picker.files, suggestions).then(function () {
        picker.value = ""; /* uploaded already: the form must not send them again */
        if (altField) { altField.value = ""; }
      });
    });
  }

  /* --- keyboard shortcuts ------------------------------------------------------------------ */

  function press(action) {
    var button = form.querySelector('button[name="action"][value="' + action + '"]');
    if (!button) { return false; }
    if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) { return; }
    if (event.key === "s" || event.key === "S") {
      if (press("save")) { event.preventDefault(); }
    } else if (event.key === "Enter") {
      if (press("publish")) { event.preventDefault(); }
    }
  });
})();
