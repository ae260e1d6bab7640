// Process diagrams on the pilot page: each [data-diagram] element names a JSON <script> with
// {url, visited, current}; the BPMN XML (names already in the user's language) is fetched from
// url and shown with bpmn-js's NavigatedViewer, the path taken marked "visited" and the ready
// tasks "current". It opens at a readable size on the current step (and the path to it, when
// that fits); the buttons of [data-diagram-controls] zoom in and out, fit the whole process or
// go back to the current step; dragging moves it (a finger, once the diagram has focus), and so
// do Ctrl + arrow keys on the focused diagram. The page is complete without this file.
(function () {
  "use strict";
  if (typeof window.BpmnJS !== "function") return;

  var STEP = 1.25;             // one click of zoom in / zoom out
  var MIN_SCALE = 0.15, MAX_SCALE = 3;
  var READABLE = 0.75;         // the smallest scale at which 12px labels stay legible
  var MARGIN = 40;             // diagram units around what the default view shows

  // bpmn-js centres a task's label in the whole box (its padding does not move a centred label),
  // so the task-type icon in the top-left corner covered the first character. Centre it in the
  // part of the box below the icon, and above the timers on its lower edge when it has some; a
  // label too long for that space is set a little smaller.
  var ICON_BOTTOM = 24, EDGE_EVENT = 18, GAP = 4, FONT_SIZE = 12, SMALL_FONT_SIZE = 10, LINE_HEIGHT = 1.2;

  function hasEdgeEvents(element) {
    var task = element && element.businessObject;
    var siblings = (task && task.$parent && task.$parent.flowElements) || [];
    return siblings.some(function (el) { return el.$type === "bpmn:BoundaryEvent" && el.attachedToRef === task; });
  }

  function LabelPlacement(bpmnRenderer, textRenderer) {
    var drawing = null;  // the shape being drawn: createText is not told which
    var drawShape = bpmnRenderer.drawShape.bind(bpmnRenderer);
    bpmnRenderer.drawShape = function (parentGfx, element, attrs) {
      drawing = element;
      try { return drawShape(parentGfx, element, attrs); } finally { drawing = null; }
    };
    var createText = textRenderer.createText.bind(textRenderer);
    textRenderer.createText = function (text, options) {
      // A task's (or collapsed sub-process's) own label; lanes and external labels stay as drawn.
      if (!(options && options.align === "center-middle" && options.padding === 7 && options.box)) {
        return createText(text, options);
      }
      var height = options.box.height - ICON_BOTTOM - (hasEdgeEvents(drawing) ? EDGE_EVENT : GAP);
      var below = Object.assign({}, options, { box: Object.assign({}, options.box, { height: height }) });
      var label = createText(text, below);
      if (label.querySelectorAll("tspan").length * FONT_SIZE * LINE_HEIGHT > height) {
        label = createText(text, Object.assign({}, below, {
          style: Object.assign({}, below.style, { fontSize: SMALL_FONT_SIZE })
        }));
      }
      label.setAttribute("transform", "translate(0 " + ICON_BOTTOM + ")");
      return label;
    };
  }
  LabelPlacement.$inject = ["bpmnRenderer", "textRenderer"];
  var labelModule = { __init__: ["labelPlacement"], labelPlacement: ["type", LabelPlacement] };

  function readData(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function fail(container) {
    container.classList.add("d-flex", "align-items-center", "justify-content-center", "text-body-secondary", "small", "p-3");
    container.textContent = container.dataset.errorText || "";
  }

  // Steps, events and gateways: not lanes, pools or expanded sub-processes (they would make a
  // "path" as large as the whole process).
  function steps(registry, ids) {
    return ids.map(function (id) { return registry.get(id); }).filter(function (el) {
      if (!el || el.waypoints || el.type === "label") return false;
      if (el.type === "bpmn:Lane" || el.type === "bpmn:Participant") return false;
      return !(el.di && el.di.isExpanded);
    });
  }

  function bounds(elements) {
    var x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    elements.forEach(function (el) {
      x1 = Math.min(x1, el.x); y1 = Math.min(y1, el.y);
      x2 = Math.max(x2, el.x + el.width); y2 = Math.max(y2, el.y + el.height);
    });
    return { x: x1 - MARGIN, y: y1 - MARGIN, width: x2 - x1 + 2 * MARGIN, height: y2 - y1 + 2 * MARGIN };
  }

  function scaleFor(canvas, box) {
    var size = canvas.getSize();
    return Math.min(size.width / box.width, size.height / box.height);
  }

  // Where a view of `size` starting near `start` begins so that it shows no empty space beyond
  // the diagram's [low, high] (centred on the diagram when the view is larger than it).
  function within(start, size, low, high) {
    if (size >= high - low) return (low + high - size) / 2;
    return Math.max(low, Math.min(start, high - size));
  }

  // Centre the view on box at its fitting scale, never above 1 (the size bpmn-js draws at), and
  // slide it back over the diagram where that leaves blank canvas on one side.
  function showBox(canvas, box) {
    var size = canvas.getSize();
    var inner = canvas.viewbox().inner;
    var scale = Math.min(1, scaleFor(canvas, box));
    var width = size.width / scale, height = size.height / scale;
    canvas.viewbox({
      x: within(box.x + box.width / 2 - width / 2, width, inner.x - MARGIN, inner.x + inner.width + MARGIN),
      y: within(box.y + box.height / 2 - height / 2, height, inner.y - MARGIN, inner.y + inner.height + MARGIN),
      width: width, height: height
    });
  }

  // The current steps with the path that led to them when that is legible at once; otherwise the
  // current steps; otherwise the first of them. A finished process is shown whole.
  function showCurrent(canvas, registry, data) {
    var current = steps(registry, data.current || []);
    if (!current.length) { canvas.zoom("fit-viewport", "auto"); return; }
    var choices = [current.concat(steps(registry, data.visited || [])), current, current.slice(0, 1)];
    for (var i = 0; i < choices.length; i++) {
      var box = bounds(choices[i]);
      if (i === choices.length - 1 || scaleFor(canvas, box) >= READABLE) { showBox(canvas, box); return; }
    }
  }

  function zoomBy(canvas, factor) {
    var scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, canvas.zoom() * factor));
    canvas.zoom(scale, "auto");
  }

  function wireControls(container, canvas, registry, data) {
    var controls = document.querySelectorAll('[data-diagram-controls="' + container.id + '"]');
    var actions = {
      in: function () { zoomBy(canvas, STEP); },
      out: function () { zoomBy(canvas, 1 / STEP); },
      fit: function () { canvas.zoom("fit-viewport", "auto"); },
      current: function () { showCurrent(canvas, registry, data); }
    };
    controls.forEach(function (part) {
      part.querySelectorAll("[data-zoom]").forEach(function (button) {
        if (button.dataset.zoom === "current" && !(data.current || []).length) { button.hidden = true; return; }
        button.addEventListener("click", function () { actions[button.dataset.zoom](); });
      });
      part.hidden = false;
    });
  }

  // bpmn-js moves the drawing with a mouse only. On a touch screen a finger moves it once the
  // drawing has focus (a tap gives it); before that, and after a tap elsewhere, the same gesture
  // scrolls the page as usual, so a phone user is never trapped in a tall diagram.
  function touchPan(container, canvas) {
    var svg = container.querySelector("svg");
    if (!svg) return;
    var last = null;
    svg.addEventListener("focus", function () { container.classList.add("touch-pan"); });
    svg.addEventListener("blur", function () { container.classList.remove("touch-pan"); last = null; });
    svg.addEventListener("pointerdown", function (event) {
      if (event.pointerType !== "touch" || document.activeElement !== svg) return;
      last = { id: event.pointerId, x: event.clientX, y: event.clientY };
    });
    svg.addEventListener("pointermove", function (event) {
      if (!last || event.pointerId !== last.id) return;
      canvas.scroll({ dx: event.clientX - last.x, dy: event.clientY - last.y });
      last = { id: event.pointerId, x: event.clientX, y: event.clientY };
    });
    ["pointerup", "pointercancel"].forEach(function (type) {
      svg.addEventListener(type, function () { last = null; });
    });
  }

  // The drawing is one focusable image (Ctrl + arrow keys move it) named by the container.
  function label(container) {
    var svg = container.querySelector("svg");
    if (!svg) return;
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", container.dataset.label || "");
  }

  async function show(container) {
    var data = readData(container.dataset.diagram);
    if (!data || !data.url) return fail(container);
    try {
      var response = await fetch(data.url, { credentials: "same-origin", headers: { Accept: "application/xml" } });
      if (!response.ok) return fail(container);
      var xml = await response.text();
      var viewer = new window.BpmnJS({ container: container, additionalModules: [labelModule] });
      await viewer.importXML(xml);
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      (data.visited || []).forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "visited"); });
      (data.current || []).forEach(function (id) {
        if (registry.get(id)) { canvas.removeMarker(id, "visited"); canvas.addMarker(id, "current"); }
      });
      label(container);
      touchPan(container, canvas);
      showCurrent(canvas, registry, data);
      wireControls(container, canvas, registry, data);
      container.dataset.rendered = "true";
    } catch (e) {
      fail(container);
    }
  }

  document.querySelectorAll("[data-diagram]").forEach(show);
})();
