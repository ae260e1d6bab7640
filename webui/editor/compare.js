// Compare: the draft's diagram against the live version's, with bpmn-js-differ (added, removed,
// changed elements; layout-only moves apart), on the diagram and as a list.
import { BpmnModdle } from 'bpmn-moddle';
import { diff } from 'bpmn-js-differ';
import { moddleExtensions } from './diagram.js';
import { elementLabel } from './util.js';

const moddle = new BpmnModdle(moddleExtensions);

export async function compareXML(oldXML, newXML) {
  const [before, after] = await Promise.all([moddle.fromXML(oldXML), moddle.fromXML(newXML)]);
  const result = diff(before.rootElement, after.rootElement);
  const rows = (entries, kind) => Object.entries(entries).map(([id, entry]) => {
    const bo = entry.model || entry;
    return { id, kind, label: elementLabel(bo), attrs: Object.keys(entry.attrs || {}) };
  }).filter((row) => !/_di$|^BPMN(Shape|Edge|Plane|Diagram)/.test(row.id));
  return {
    added: rows(result._added, 'added'),
    removed: rows(result._removed, 'removed'),
    changed: rows(result._changed, 'changed'),
    moved: rows(result._layoutChanged, 'moved').filter((row) => !(row.id in result._changed)),
  };
}

export function isEmpty(changes) {
  return !changes.added.length && !changes.removed.length && !changes.changed.length && !changes.moved.length;
}
