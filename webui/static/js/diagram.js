// Process diagrams on the pilot page: each [data-diagram] element names a JSON <script> with
// {url, visited, current}; the BPMN XML is fetched from url and shown with bpmn-js, the path
// taken marked "visited" and the ready tasks "current". The page is complete without this file.
(function () {
  "use strict";
  if (typeof window.BpmnJS !== "function") return;

  function readData(id) {
    const el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function fail(container) {
    container.classList.add("d-flex", "align-items-center", "justify-content-center", "text-body-secondary", "small", "p-3");
    container.textContent = container.dataset.errorText || "";
  }

  async function show(container) {
    const data = readData(container.dataset.diagram);
    if (!data || !data.url) return fail(container);
    try {
      const response = await fetch(data.url, { credentials: "same-origin", headers: { Accept: "application/xml" } });
      if (!response.ok) return fail(container);
      const xml = await response.text();
      const viewer = new window.BpmnJS({ container: container });
      await viewer.importXML(xml);
      const canvas = viewer.get("canvas");
      const registry = viewer.get("elementRegistry");
      (data.visited || []).forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "visited"); });
      (data.current || []).forEach(function (id) {
        if (registry.get(id)) { canvas.removeMarker(id, "visited"); canvas.addMarker(id, "current"); }
      });
      canvas.zoom("fit-viewport", "auto");
      container.dataset.rendered = "true";
    } catch (e) {
      fail(container);
    }
  }

  document.querySelectorAll("[data-diagram]").forEach(show);
})();
