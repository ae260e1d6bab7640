// Reading and writing the spiffworkflow extension elements the engine reads, through bpmn-js
// commands (so every change can be undone and marks the draft unsaved).
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

export const FORM = 'formJsonSchemaFilename';
export const UI = 'formUiSchemaFilename';
export const DUE = 'dueIn';
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

function extensionValues(bo) {
  const ext = bo.get('extensionElements');
  return ext ? ext.get('values') : [];
}

function propertiesOf(bo) {
  return extensionValues(bo).find((v) => v.$instanceOf('spiffworkflow:Properties'));
}

export function getProperty(element, name) {
  const props = propertiesOf(getBusinessObject(element));
  const found = props && props.get('properties').find((p) => p.name === name);
  return found ? found.value : undefined;
}

export function setProperty(injector, element, name, value) {
  const modeling = injector.get('modeling');
  const bpmnFactory = injector.get('bpmnFactory');
  const bo = getBusinessObject(element);
  let ext = bo.get('extensionElements');
  if (!ext) {
    if (!value) return;
    ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = bo;
    modeling.updateModdleProperties(element, bo, { extensionElements: ext });
  }
  let props = propertiesOf(bo);
  if (!props) {
    if (!value) return;
    props = bpmnFactory.create('spiffworkflow:Properties', { properties: [] });
    props.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...ext.get('values'), props] });
  }
  const list = props.get('properties');
  const prop = list.find((p) => p.name === name);
  if (!value) {
    if (prop) modeling.updateModdleProperties(element, props, { properties: list.filter((p) => p !== prop) });
  } else if (prop) {
    modeling.updateModdleProperties(element, prop, { value });
  } else {
    const created = bpmnFactory.create('spiffworkflow:Property', { name, value });
    created.$parent = props;
    modeling.updateModdleProperties(element, props, { properties: [...list, created] });
  }
}

// The engine evaluates dueIn as an expression: a duration is written as a quoted string.
export function dueText(raw) {
  if (!raw) return '';
  const m = /^\s*["'](.*)["']\s*$/.exec(raw);
  return m ? m[1] : raw;
}

export function dueValue(text) {
  const t = (text || '').trim().toUpperCase();
  return t ? JSON.stringify(t) : '';
}

export function isDuration(text) {
  return !text || ISO_DURATION.test(text.trim().toUpperCase());
}

export function decisionOf(element) {
  const found = extensionValues(getBusinessObject(element)).find((v) => v.$instanceOf('spiffworkflow:CalledDecisionId'));
  return found ? found.value || '' : '';
}

export function setDecision(injector, element, value) {
  const modeling = injector.get('modeling');
  const bpmnFactory = injector.get('bpmnFactory');
  const bo = getBusinessObject(element);
  let ext = bo.get('extensionElements');
  if (!ext) {
    ext = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    modeling.updateModdleProperties(element, bo, { extensionElements: ext });
  }
  const found = ext.get('values').find((v) => v.$instanceOf('spiffworkflow:CalledDecisionId'));
  if (found) {
    modeling.updateModdleProperties(element, found, { value });
  } else {
    const created = bpmnFactory.create('spiffworkflow:CalledDecisionId', { value });
    created.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...ext.get('values'), created] });
  }
}

// The lane a flow node sits in (the innermost one), by name.
export function laneOf(element) {
  const lanes = getBusinessObject(element).get('lanes') || [];
  const names = lanes.map((l) => l.name).filter(Boolean);
  return names.length ? names[names.length - 1] : null;
}

export function isHumanTask(element) {
  return is(element, 'bpmn:UserTask') || is(element, 'bpmn:ManualTask');
}
