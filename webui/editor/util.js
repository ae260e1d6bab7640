// Small helpers shared by the editor's parts: the page's settings, translated strings, requests.
const config = JSON.parse(document.getElementById('editor-config').textContent);

export function settings() {
  return config;
}

export function t(text, replacements) {
  const template = (config.strings || {})[text] || text;
  return template.replace(/{([^}]+)}/g, (all, key) => (replacements && key in replacements ? replacements[key] : all));
}

export function translateModule() {
  return { translate: ['value', t] };
}

function csrf() {
  return config.csrf;
}

export async function postJSON(url, body) {
  const response = await fetch(url, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf(), Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  return { ok: response.ok, status: response.status, data };
}

export async function postForm(url, fields) {
  const body = new URLSearchParams(fields);
  const response = await fetch(url, {
    method: 'POST', credentials: 'same-origin', headers: { 'X-CSRFToken': csrf() }, body,
  });
  return { ok: response.ok, status: response.status, text: await response.text() };
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// What a person calls an element: its name (the part in the reader's language when written
// "中文 / English"), else its kind.
export function elementLabel(bo) {
  if (!bo) return '';
  const name = (bo.name || '').trim();
  if (name) return pick(name);
  const kind = t(KINDS[(bo.$type || '').replace('bpmn:', '')] || 'Unnamed element');
  if (bo.sourceRef && bo.targetRef) return `${kind}: ${elementLabel(bo.sourceRef)} → ${elementLabel(bo.targetRef)}`;
  return kind;
}

// A bilingual name "中文 / English" in the reader's language (as webui.i18n.pick does).
function pick(name) {
  const slash = name.lastIndexOf('/');
  const zh = name.slice(0, slash).trim();
  const en = name.slice(slash + 1).trim();
  if (slash < 0 || !zh || !/[A-Za-z]/.test(en) || /[\u3400-\u9fff]/.test(en)) return name;
  return config.lang === 'en' ? en : zh;
}

const KINDS = {
  StartEvent: 'Start event', EndEvent: 'End event', UserTask: 'User task', Task: 'Task', ServiceTask: 'Service task',
  BusinessRuleTask: 'Business rule task', ExclusiveGateway: 'Exclusive gateway', ParallelGateway: 'Parallel gateway',
  SequenceFlow: 'Sequence flow', Lane: 'Lane', Participant: 'Pool', Process: 'Process', SubProcess: 'Sub-process',
  IntermediateCatchEvent: 'Intermediate event', BoundaryEvent: 'Boundary event', CallActivity: 'Call activity',
  ScriptTask: 'Script task', ManualTask: 'Manual task', InclusiveGateway: 'Inclusive gateway',
  EventBasedGateway: 'Event-based gateway', MessageFlow: 'Message flow', Collaboration: 'Collaboration',
};
