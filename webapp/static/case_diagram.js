/* The case page's diagram: loads the case's own BPMN version and marks the elements the case
   has passed, is at, and is late at (CSS classes from case_diagram.css). Read-only viewer. */
(function () {
  "use strict";
  var box = document.getElementById("case-diagram");
  if (!box || !window.BpmnJS) { return; }

  function fail() {
    box.textContent = box.getAttribute("data-error");
    box.classList.add("case-diagram-failed");
  }

  function mark(canvas, registry, ids, marker) {
    ids.forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, marker); }
    });
  }

  fetch(box.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (resp) { if (!resp.ok) { throw new Error(resp.status); } return resp.json(); })
    .then(function (info) {
      var viewer = new window.BpmnJS({ container: box });
      return viewer.importXML(info.bpmn_xml).then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        mark(canvas, registry, info.completed, "cf-completed");
        mark(canvas, registry, info.current, "cf-current");
        mark(canvas, registry, info.overdue, "cf-overdue");
        box.setAttribute("data-ready", "true");
      });
    })
    .catch(fail);
})();
