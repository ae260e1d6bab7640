// Copy the browser builds the templates load from node_modules into static/vendor (git-ignored),
// so Flask serves them itself: no CDN, nothing vendored into the repository. axe-core is loaded by
// no page: the accessibility tests inject it (same origin, so the Content-Security-Policy allows it).
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "static", "vendor");
const files = {
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap.min.css",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap.bundle.min.js",
  "htmx.org/dist/htmx.min.js": "htmx.min.js",
  "chart.js/dist/chart.umd.js": "chart.umd.js",
  "bpmn-js/dist/bpmn-navigated-viewer.production.min.js": "bpmn-navigated-viewer.production.min.js",
  "bpmn-js/dist/bpmn-modeler.production.min.js": "bpmn-modeler.production.min.js",
  "bpmn-js/dist/assets/diagram-js.css": "diagram-js.css",
  "bpmn-js/dist/assets/bpmn-js.css": "bpmn-js.css",
  "bpmn-js/dist/assets/bpmn-font/css/bpmn.css": "bpmn-font/css/bpmn.css",
  "bpmn-js/dist/assets/bpmn-font/font": "bpmn-font/font",
  "axe-core/axe.min.js": "axe.min.js",
};
rmSync(vendor, { recursive: true, force: true });
for (const [from, to] of Object.entries(files)) {
  mkdirSync(dirname(join(vendor, to)), { recursive: true });
  cpSync(join(root, "node_modules", from), join(vendor, to), { recursive: true });
}
console.log(`copied ${Object.keys(files).length} front-end assets into ${vendor}`);
