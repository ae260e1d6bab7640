// The Forms tab: each user task's JSON Schema and UI schema, checked as you type (JSON syntax here,
// the JSON Schema meta-schema on the server) with a live preview the server renders with the same
// code as the task page.
import { FORM, UI, getProperty, isHumanTask, setProperty } from './spiff-props.js';
import { debounce, el, elementLabel, postForm, settings, t } from './util.js';

const EMPTY_FORM = '{\n  "type": "object",\n  "properties": {}\n}\n';

export class Forms {
  constructor(root, state) {
    this.root = root;
    this.state = state;
    this.select = root.querySelector('[data-form-task]');
    this.schema = root.querySelector('[data-form-schema]');
    this.ui = root.querySelector('[data-form-ui]');
    this.status = root.querySelector('[data-form-status]');
    this.preview = root.querySelector('[data-form-preview]');
    this.names = root.querySelector('[data-form-files]');
    this.create = root.querySelector('[data-form-create]');
    this.editors = root.querySelector('[data-form-editors]');
    this.refreshPreview = debounce(() => this.renderPreview(), 400);
    this.select.addEventListener('change', () => this.open());
    this.schema.addEventListener('input', () => this.edited(FORM, this.schema));
    this.ui.addEventListener('input', () => this.edited(UI, this.ui));
    this.create.addEventListener('click', () => this.createForm());
  }

  tasks() {
    const registry = this.state.modeler.get('elementRegistry');
    return registry.filter((e) => isHumanTask(e) && !e.labelTarget);
  }

  // The task list, keeping the chosen task when it still exists.
  refresh() {
    const chosen = this.select.value;
    this.select.replaceChildren(...this.tasks().map((task) => el('option', { value: task.id },
      `${elementLabel(task.businessObject)}${getProperty(task, FORM) ? '' : ` (${t('no form yet')})`}`)));
    if (chosen && this.tasks().some((task) => task.id === chosen)) this.select.value = chosen;
    this.open();
  }

  current() {
    return this.state.modeler.get('elementRegistry').get(this.select.value);
  }

  open() {
    const task = this.current();
    const form = task && getProperty(task, FORM);
    this.editors.hidden = !form;
    this.create.hidden = !task || Boolean(form);
    if (!task) {
      this.names.textContent = t('This diagram has no user task yet.');
      return;
    }
    if (!form) {
      this.names.textContent = t('This task has no form yet.');
      return;
    }
    const ui = getProperty(task, UI);
    this.names.textContent = t('Form file {form}; UI schema file {ui}', { form, ui: ui || t('none') });
    this.schema.value = this.state.files[form] ?? EMPTY_FORM;
    this.ui.value = (ui && this.state.files[ui]) ?? '{}\n';
    this.ui.disabled = !ui;
    this.renderPreview();
  }

  createForm() {
    const task = this.current();
    if (!task) return;
    const form = `${task.id}-schema.json`;
    const ui = `${task.id}-uischema.json`;
    setProperty(this.state.modeler.get('injector'), task, FORM, form);
    if (!getProperty(task, UI)) setProperty(this.state.modeler.get('injector'), task, UI, ui);
    this.state.files[form] ??= EMPTY_FORM;
    this.state.files[getProperty(task, UI)] ??= '{}\n';
    this.state.markDirty();
    this.refresh();
  }

  edited(property, area) {
    const task = this.current();
    const name = task && getProperty(task, property);
    if (!name) return;
    this.state.files[name] = area.value;
    this.state.markDirty();
    const problems = [this.schema, this.ui].map((a) => syntaxProblem(a.value)).filter(Boolean);
    this.schema.classList.toggle('is-invalid', Boolean(syntaxProblem(this.schema.value)));
    this.ui.classList.toggle('is-invalid', Boolean(syntaxProblem(this.ui.value)));
    this.status.textContent = problems.length ? problems.join(' · ') : t('Checking…');
    this.refreshPreview();
  }

  async renderPreview() {
    this.asked = (this.asked || 0) + 1;
    const asked = this.asked;
    const { ok, text } = await postForm(settings().urls.preview, { schema: this.schema.value, ui: this.ui.value });
    if (asked !== this.asked) return;  // a later preview is on its way
    if (!ok) {
      this.status.textContent = t('The preview could not be made.');
      return;
    }
    this.preview.innerHTML = text;  // our server's HTML, escaped by its templates
    const problems = this.preview.querySelectorAll('[data-form-problem]').length;
    this.status.textContent = problems ? t('The form has problems (see the preview).') : t('The form is valid.');
  }
}

function syntaxProblem(text) {
  try {
    JSON.parse(text || '{}');
    return null;
  } catch (err) {
    return t('Not valid JSON: {error}', { error: err.message });
  }
}
