/* Draws each .admin-diagram[data-xml] with bpmn-js (the navigated viewer: pan and zoom) and
   outlines the element ids listed in data-marked with the data-marker class (the refused ones
   on a refused upload). No inline script: the page carries the XML in the data attribute. */
(function () {
  "use strict";
  function draw(box) {
    var viewer = new window.BpmnJS({ container: box });
    var marked = JSON.parse(box.dataset.marked || "[]");
    viewer.importXML(box.dataset.xml).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      marked.forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, box.dataset.marker || "admin-marked"); }
      });
      box.dataset.drawn = "true";
    }).catch(function (err) {
      box.textContent = box.dataset.failed || String(err && err.message || err);
      box.dataset.drawn = "failed";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.BpmnJS) { return; }
    document.querySelectorAll(".admin-diagram[data-xml]").forEach(draw);
  });
}());
