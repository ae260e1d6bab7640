// The process editor page: one draft (the bundle's files) edited in the browser, saved on the
// server, validated by the server's deploy checks, compared with the live version and deployed.
import { Pins, createModeler } from './diagram.js';
import { compareXML, isEmpty } from './compare.js';
import { Forms } from './forms.js';
import { Decisions } from './decisions.js';
import { el, elementLabel, postJSON, settings, t } from './util.js';

const config = settings();
const $ = (selector) => document.querySelector(selector);

const state = {
  files: { ...config.files },
  main: config.main,
  baseVersion: config.base_version,
  dirty: false,  // a version opened here is no draft yet, but nothing is lost by leaving it
  modeler: null,
  markDirty() { setDirty(true); },
};

function setDirty(dirty) {
  state.dirty = dirty;
  const badge = $('[data-save-state]');
  badge.textContent = dirty ? t('Unsaved changes') : t('All changes saved');
  badge.className = `badge ${dirty ? 'text-bg-warning' : 'text-bg-success'}`;
  badge.dataset.saveState = dirty ? 'unsaved' : 'saved';
}

// A deployed version opened here: no draft yet, and nothing to lose by leaving.
function showVersion() {
  const badge = $('[data-save-state]');
  badge.textContent = t('Not saved as a draft yet');
  badge.className = 'badge text-bg-secondary';
  badge.dataset.saveState = 'version';
}

function message(kind, text) {
  const box = $('[data-message]');
  box.replaceChildren(el('div', { class: `alert alert-${kind} mb-2`, role: kind === 'danger' ? 'alert' : 'status' }, text));
}

async function collect() {
  if (state.main) {
    const { xml } = await state.modeler.saveXML({ format: true });
    state.files[state.main] = xml;
  }
  await decisions.collect();
  return { ...state.files };
}

async function openBpmn(name) {
  state.main = name;
  const { warnings } = await state.modeler.importXML(state.files[name]);
  const note = $('[data-import-warnings]');
  note.hidden = !warnings.length;
  note.textContent = warnings.length
    ? `${t('{n} parts of this file could not be read; they are dropped when you save.', { n: warnings.length })} `
      + `(${warnings.map((w) => w.message).join('; ')})` : '';
  state.modeler.get('canvas').zoom('fit-viewport');
  forms.refresh();
}

async function save() {
  const files = await collect();
  const { ok, data } = await postJSON(config.urls.save, { files, base_version: state.baseVersion });
  if (!ok) {
    message('danger', data.message || t('The draft could not be saved.'));
    return false;
  }
  setDirty(false);
  $('[data-saved-at]').textContent = t('Saved by {who} at {when}', { who: data.saved_by, when: data.saved_at });
  return true;
}

// Problems of the server's deploy checks: a list, and a badge on each element they name.
function showProblems(problems) {
  pins.clear('problem');
  const list = $('[data-results]');
  if (!problems.length) {
    list.replaceChildren(el('div', { class: 'alert alert-success', role: 'status', 'data-valid': '' },
      t('No problems: this draft can be deployed.')));
    return;
  }
  const registry = state.modeler.get('elementRegistry');
  const items = problems.map((p) => {
    const element = p.element && registry.get(p.element);
    const pinned = element && pins.mark('problem', p.element, 'sf-problem', '!');
    const where = element ? elementLabel(element.businessObject) : (p.file || t('The whole draft'));
    const item = el('li', { class: 'list-group-item', 'data-problem': p.element || '' },
      el('strong', {}, where), p.line ? el('span', { class: 'text-body-secondary' }, ` (${p.file}, ${t('line {n}', { n: p.line })})`) : null,
      el('div', {}, p.message),
      p.detail ? el('div', { class: 'small text-body-secondary', lang: 'en' }, p.detail) : null);
    if (pinned) {
      item.classList.add('list-group-item-action');
      item.setAttribute('role', 'button');
      item.setAttribute('tabindex', '0');
      item.addEventListener('click', () => pins.focus(p.element));
      item.addEventListener('keydown', (e) => { if (e.key === 'Enter') pins.focus(p.element); });
    }
    return item;
  });
  list.replaceChildren(el('h2', { class: 'h6', id: 'problems-heading' }, t('{n} problems', { n: problems.length })),
    el('ul', { class: 'list-group mb-3', 'aria-labelledby': 'problems-heading', 'data-problems': '' }, items));
}

async function validate() {
  const files = await collect();
  const { ok, data } = await postJSON(config.urls.validate, { files });
  if (!ok) {
    message('danger', data.message || t('The draft could not be checked.'));
    return null;
  }
  showProblems(data.problems);
  return data.problems;
}

async function compare() {
  pins.clear('diff');
  if (!config.urls.live) {
    $('[data-results]').replaceChildren(el('div', { class: 'alert alert-info', role: 'status' },
      t('This process has not been deployed yet: everything in it is new.')));
    return null;
  }
  const [live, files] = await Promise.all([fetch(config.urls.live).then((r) => r.text()), collect()]);
  const changes = await compareXML(live, files[state.main]);
  const badges = { added: '+', changed: '~', moved: '' };
  for (const kind of ['added', 'changed', 'moved']) {
    for (const row of changes[kind]) pins.mark('diff', row.id, `sf-diff-${kind}`, badges[kind]);
  }
  $('[data-results]').replaceChildren(changeList(changes));
  return changes;
}

function changeList(changes) {
  if (isEmpty(changes)) {
    return el('div', { class: 'alert alert-info', role: 'status', 'data-diff-empty': '' },
      t('The diagram is the same as the live version {n}.', { n: config.live_version }));
  }
  const titles = { added: t('Added'), removed: t('Removed'), changed: t('Changed'), moved: t('Moved only') };
  const parts = [el('h2', { class: 'h6' }, t('Changes against the live version {n}', { n: config.live_version }))];
  for (const kind of ['added', 'removed', 'changed', 'moved']) {
    if (!changes[kind].length) continue;
    parts.push(el('h3', { class: 'h6 mt-2' }, el('span', { class: `sf-key sf-key-${kind}`, 'aria-hidden': 'true' }),
      ` ${titles[kind]} (${changes[kind].length})`));
    parts.push(el('ul', { class: 'list-unstyled mb-2', [`data-diff-${kind}`]: '' },
      changes[kind].map((row) => el('li', { 'data-diff-id': row.id }, row.label))));
  }
  return el('div', {}, parts);
}

async function askDeploy() {
  if (state.dirty && !(await save())) return;
  const changes = await compare();
  const summary = $('[data-deploy-summary]');
  summary.replaceChildren(changes ? changeList(changes) : el('p', {}, t('A new process: it becomes version 1.')));
  window.bootstrap.Modal.getOrCreateInstance($('[data-deploy-modal]')).show();
}

async function deploy() {
  const button = $('[data-deploy-confirm]');
  button.disabled = true;
  const { ok, data } = await postJSON(config.urls.deploy, {});
  button.disabled = false;
  window.bootstrap.Modal.getOrCreateInstance($('[data-deploy-modal]')).hide();
  if (!ok) {
    if (data.problems) showProblems(data.problems);
    message('danger', data.message || t('The draft could not be deployed.'));
    return;
  }
  const mine = data.deployed.find((d) => d.key === config.key) || data.deployed[0];
  state.baseVersion = mine.version;
  config.live_version = mine.version;
  config.urls.live = data.live_url;
  setDirty(false);
  message('success', mine.created ? t('Deployed: version {n} is live. New instances start on it; running ones stay on theirs.', { n: mine.version })
    : t('Nothing changed: version {n} stays live.', { n: mine.version }));
  $('[data-message] .alert').dataset.deployedVersion = mine.version;
}

let pins = null;
const forms = new Forms($('[data-forms]'), state);
const decisions = new Decisions($('[data-decisions]'), state);

async function start() {
  state.modeler = createModeler($('[data-editor-canvas]'), $('[data-editor-panel]'));
  pins = new Pins(state.modeler);
  window.schemeflowEditor = state;  // for tests and the curious: state.modeler is bpmn-js
  state.modeler.on('commandStack.changed', (event) => {
    if (event.trigger === 'clear') return;  // a file was (re)opened
    setDirty(true);
    forms.refresh();
  });
  const picker = $('[data-bpmn-file]');
  const bpmnFiles = Object.keys(state.files).filter((n) => /\.(bpmn|xml)$/i.test(n)).sort();
  picker.replaceChildren(...bpmnFiles.map((n) => el('option', { value: n }, n)));
  picker.closest('[data-bpmn-picker]').hidden = bpmnFiles.length < 2;
  picker.addEventListener('change', async () => { await collect(); await openBpmn(picker.value); });
  if (state.main) {
    picker.value = state.main;
    await openBpmn(state.main);
  }
  if (config.unsaved) showVersion(); else setDirty(false);
  $('[data-save]').addEventListener('click', save);
  $('[data-validate]').addEventListener('click', validate);
  $('[data-compare]').addEventListener('click', compare);
  $('[data-deploy]').addEventListener('click', askDeploy);
  $('[data-deploy-confirm]').addEventListener('click', deploy);
  document.addEventListener('shown.bs.tab', (event) => {
    if (event.target.dataset.tab === 'diagram') state.modeler.get('canvas').resized();
    if (event.target.dataset.tab === 'decisions') decisions.show();
    if (event.target.dataset.tab === 'forms') forms.refresh();
  });
  window.addEventListener('beforeunload', (event) => {
    if (state.dirty) { event.preventDefault(); event.returnValue = ''; }
  });
  document.body.dataset.editorReady = '';
}

start();
