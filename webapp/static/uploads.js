/* Uploads each file as soon as it is chosen, one request per file, to POST /my/uploads
   (webapp/citizen/uploads.py), and adds the row it answers to a list; the row's hidden input
   then carries the attachment id when the page's form is sent, and the file input is emptied
   so that the file is not sent twice. Used by any citizen page:

     <input type="file" data-upload-url="/my/uploads" data-upload-list="#photo-list"
            data-process-key="…" data-field="…" [data-task-id="…"] [data-material="…"]
            [data-upload-max="9" data-upload-full="text"] data-upload-failed="text" data-uploading="text">

   The list receives "upload:added" (detail.row) and "upload:removed" events. */
(function () {
  "use strict";

  const PARAMS = [["processKey", "process_key"], ["field", "field"], ["taskId", "task_id"], ["material", "material"]];

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function rows(list) {
    return list.querySelectorAll(".upload-row[data-attachment-id]");
  }

  function refusal(text) {
    const li = document.createElement("li");
    li.className = "list-group-item upload-row upload-refused text-danger";
    li.setAttribute("role", "alert");
    li.textContent = text;
    return li;
  }

  function fromHtml(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const row = template.content.firstElementChild;
    return row && row.matches("li.upload-row") ? row : null;
  }

  async function send(input, list, file) {
    const body = new FormData();
    body.append("file", file);
    for (const [key, name] of PARAMS) {
      if (input.dataset[key]) body.append(name, input.dataset[key]);
    }
    const pending = document.createElement("li");
    pending.className = "list-group-item upload-row text-body-secondary";
    pending.textContent = `${input.dataset.uploading || "…"} ${file.name}`;
    list.append(pending);
    let row = null;
    try {
      const resp = await fetch(input.dataset.uploadUrl, {
        method: "POST", body, credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken()},
      });
      row = fromHtml(await resp.text());  // a 413 from the server is a whole error page: no row
    } catch (e) {
      row = null;
    }
    pending.replaceWith(row || refusal(`${file.name}: ${input.dataset.uploadFailed || ""}`));
    if (row && row.dataset.attachmentId) {
      list.dispatchEvent(new CustomEvent("upload:added", {bubbles: true, detail: {row}}));
    }
  }

  async function chosen(event) {
    const input = event.target;
    const list = document.querySelector(input.dataset.uploadList);
    const max = Number(input.dataset.uploadMax || Infinity);
    list.querySelectorAll(".upload-refused").forEach((old) => old.remove());
    const files = Array.from(input.files);
    input.value = "";
    for (const file of files) {
      if (rows(list).length >= max) {
        list.append(refusal(`${file.name}: ${input.dataset.uploadFull || ""}`));
        continue;
      }
      await send(input, list, file);
    }
  }

  function removeClicked(event) {
    const button = event.target.closest(".upload-remove");
    if (!button) return;
    event.preventDefault();  // without this script the button submits the form with remove_upload
    const list = button.closest("ul, ol");
    button.closest(".upload-row").remove();
    list.dispatchEvent(new CustomEvent("upload:removed", {bubbles: true}));
    const input = document.querySelector(`input[type=file][data-upload-list="#${list.id}"]`);
    if (input) input.focus();
  }

  document.querySelectorAll("input[type=file][data-upload-url]").forEach((input) => {
    input.addEventListener("change", chosen);
    const list = document.querySelector(input.dataset.uploadList);
    if (list && !list.dataset.uploadsReady) {
      list.dataset.uploadsReady = "1";
      list.addEventListener("click", removeClicked);
    }
  });
})();
