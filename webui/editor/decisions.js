// The Decisions tab: the draft's DMN files in dmn-js (window.DmnJS, its own production build).
import { el, t } from './util.js';

export class Decisions {
  constructor(root, state) {
    this.root = root;
    this.state = state;
    this.select = root.querySelector('[data-dmn-file]');
    this.container = root.querySelector('[data-dmn-canvas]');
    this.empty = root.querySelector('[data-dmn-empty]');
    this.current = null;
    this.modeler = null;
    this.select.addEventListener('change', () => this.open(this.select.value));
  }

  names() {
    return Object.keys(this.state.files).filter((n) => n.toLowerCase().endsWith('.dmn')).sort();
  }

  show() {
    const names = this.names();
    this.empty.hidden = names.length > 0;
    this.select.closest('[data-dmn-picker]').hidden = names.length === 0;
    this.select.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
    if (names.length && !this.current) this.open(names[0]);
    else if (this.current) this.select.value = this.current;
  }

  async open(name) {
    await this.collect();
    if (!this.modeler) {
      this.modeler = new window.DmnJS({ container: this.container, common: { keyboard: { bindTo: this.container } } });
      this.modeler.on('views.changed', () => this.watch());
    }
    this.current = name;
    this.select.value = name;
    const { warnings } = await this.modeler.importXML(this.state.files[name]);
    // Open the first decision table itself (its header leads back to the requirements diagram).
    const table = this.modeler.getViews().find((view) => view.type === 'decisionTable');
    if (table) await this.modeler.open(table);
    this.root.querySelector('[data-dmn-status]').textContent = warnings.length
      ? t('{n} parts of this file could not be read and are left as they are.', { n: warnings.length }) : '';
    this.watch();
  }

  watch() {
    const viewer = this.modeler.getActiveViewer();
    if (viewer && !viewer.__schemeflowWatched) {
      viewer.__schemeflowWatched = true;
      viewer.get('eventBus').on('commandStack.changed', () => this.state.markDirty());
    }
  }

  // Put the open decision's XML back into the draft's files.
  async collect() {
    if (this.modeler && this.current) {
      const { xml } = await this.modeler.saveXML({ format: true });
      this.state.files[this.current] = xml;
    }
  }
}
