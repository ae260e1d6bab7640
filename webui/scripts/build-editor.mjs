// Build the process editor's bundle into static/vendor/editor (git-ignored), after copy-vendor:
// bpmn-js's Modeler with the properties panel, the spiffworkflow descriptor, bpmnlint (its
// config compiled here, at build time, so the browser needs no resolver) and bpmn-js-differ, as
// one script that the Content-Security-Policy allows (our own origin, no eval); the CSS of
// bpmn-js, the properties panel, bpmnlint and dmn-js beside it. dmn-js is its own production build.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const out = join(root, "static", "vendor", "editor");
const generated = join(root, "node_modules", ".schemeflow");
mkdirSync(out, { recursive: true });
mkdirSync(generated, { recursive: true });

// bpmnlint's recommended rules; label-required and no-bpmndi stay errors, as in bpmn.io.
const compileConfig = require("bpmnlint/lib/support/compile-config");
const lintConfig = join(generated, "bpmnlint-config.js");
writeFileSync(lintConfig, await compileConfig({ extends: "bpmnlint:recommended" }));

await build({
  entryPoints: [join(root, "editor", "main.js")],
  bundle: true, minify: true, format: "iife", target: "es2020", legalComments: "linked",
  outfile: join(out, "editor.js"),
  alias: { "schemeflow-bpmnlint-config": lintConfig },
  nodePaths: [join(root, "node_modules")],
  logLevel: "warning",
});

const assets = {
  "bpmn-js/dist/assets/diagram-js.css": "diagram-js.css",
  "bpmn-js/dist/assets/bpmn-js.css": "bpmn-js.css",
  "bpmn-js/dist/assets/bpmn-font": "bpmn-font",
  "@bpmn-io/properties-panel/dist/assets/properties-panel.css": "properties-panel.css",
  "bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css": "bpmn-js-bpmnlint.css",
  "dmn-js/dist/dmn-modeler.production.min.js": "dmn-modeler.production.min.js",
  "dmn-js/dist/assets": "dmn",
};
for (const [from, to] of Object.entries(assets)) {
  cpSync(join(root, "node_modules", from), join(out, to), { recursive: true });
}
console.log(`built the process editor into ${out}`);
