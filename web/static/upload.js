// The drop zone of /televersement: the files of a drop (or of a choice) sent together to
// /api/televersement, ingested and attested as one batch; the progress of the sending, then each
// file's result (the form does the same without JavaScript).
(function () {
  "use strict";
  var form = document.getElementById("televersement");
  var zone = document.getElementById("depot");
  var input = document.getElementById("fichiers");
  var list = document.getElementById("resultats");
  var csrf = form.querySelector("input[name=csrf]").value;

  function line(text, className) {
    var item = document.createElement("li");
    item.textContent = text;
    if (className) { item.className = className; }
    list.appendChild(item);
    return item;
  }

  function show(item, name, result) {
    item.textContent = name + " — " + result.label;
    item.className = result.outcome;
    var id = result.document_id || result.duplicate_of;
    if (id) {
      var link = document.createElement("a");
      link.href = "/documents/" + id;
      link.textContent = "document " + id;
      item.appendChild(document.createTextNode(" ("));
      item.appendChild(link);
      item.appendChild(document.createTextNode(")"));
    }
  }

  function sendAll(files) {
    if (!files.length) { return; }
    var names = Array.prototype.map.call(files, function (file) { return file.name; }).join(", ");
    var item = line(names + " — envoi…", "pending");
    var data = new FormData();
    Array.prototype.forEach.call(files, function (file) { data.append("fichier", file, file.name); });
    data.append("service", form.elements.service.value);
    data.append("type", form.elements.type.value);
    var request = new XMLHttpRequest();
    request.open("POST", "/api/televersement");
    request.setRequestHeader("X-CSRF-Token", csrf);
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        item.textContent = names + " — envoi " + Math.round(100 * event.loaded / event.total) + " %";
      }
    });
    request.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(request.responseText); } catch (error) { body = {}; }
      if (body.results) {
        body.results.forEach(function (result, index) {
          show(index === 0 ? item : line("", ""), result.source, result);
        });
      } else {
        item.textContent = names + " — refusé : " + (body.detail || ("erreur " + request.status));
        item.className = "refused";
      }
    });
    request.addEventListener("error", function () {
      item.textContent = names + " — échec de l'envoi (réseau)";
      item.className = "refused";
    });
    request.send(data);
  }

  zone.addEventListener("dragover", function (event) {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("over");
    sendAll(event.dataTransfer.files);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sendAll(input.files);
    input.value = "";
  });
}());
