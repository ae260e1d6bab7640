// The BPMN modeler: bpmn-js with the properties panel, the spiffworkflow descriptor and panel
// group, bpmnlint as you edit (config compiled at build time), and the markers the editor pins.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';
import lintConfig from 'schemeflow-bpmnlint-config';
import spiffDescriptor from './spiffworkflow.json';
import SpiffPropertiesProvider from './spiff-panel.js';
import SubProcessLanes from './subprocess-lanes.js';
import { settings, translateModule } from './util.js';

export const moddleExtensions = { spiffworkflow: spiffDescriptor };

export function createModeler(container, panel) {
  return new Modeler({
    container,
    keyboard: { bindTo: document },
    propertiesPanel: {
      parent: panel,
      layout: { groups: { general: { open: true }, 'schemeflow-task': { open: true }, 'schemeflow-decision': { open: true } } },
    },
    linting: { bpmnlint: lintConfig, active: true },
    schemeflow: { lanes: settings().lanes },
    moddleExtensions,
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, lintModule, translateModule(),
      { __init__: ['spiffPropertiesProvider', 'subProcessLanes'], spiffPropertiesProvider: ['type', SpiffPropertiesProvider],
        subProcessLanes: ['type', SubProcessLanes] },
    ],
  });
}

// Markers and badges pinned to elements, by kind ("problem", "diff"), so each can be cleared alone.
export class Pins {
  constructor(modeler) {
    this.modeler = modeler;
    this.markers = { problem: [], diff: [] };
  }

  clear(kind) {
    const canvas = this.modeler.get('canvas');
    for (const [id, marker] of this.markers[kind]) {
      if (this.modeler.get('elementRegistry').get(id)) canvas.removeMarker(id, marker);
    }
    this.markers[kind] = [];
    this.modeler.get('overlays').remove({ type: `sf-${kind}` });
  }

  mark(kind, id, marker, badge) {
    const registry = this.modeler.get('elementRegistry');
    const element = registry.get(id);
    if (!element) return false;
    this.modeler.get('canvas').addMarker(id, marker);
    this.markers[kind].push([id, marker]);
    if (badge && element.type !== 'bpmn:SequenceFlow' && !element.waypoints) {
      const html = document.createElement('span');
      html.className = `sf-badge sf-badge-${marker}`;
      html.textContent = badge;
      html.setAttribute('aria-hidden', 'true');
      this.modeler.get('overlays').add(id, `sf-${kind}`, { position: { top: -10, right: 10 }, html });
    }
    return true;
  }

  focus(id) {
    const element = this.modeler.get('elementRegistry').get(id);
    if (!element) return;
    this.modeler.get('canvas').scrollToElement(element);
    this.modeler.get('selection').select(element);
  }
}
