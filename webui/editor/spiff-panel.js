// The properties panel group "Task form and deadline" (user tasks) and "Decision" (business rule
// tasks): the spiffworkflow properties the engine reads, and the role the task's lane maps to.
import { h } from '@bpmn-io/properties-panel/preact';
import { TextFieldEntry, isTextFieldEntryEdited } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { is } from 'bpmn-js/lib/util/ModelUtil';
import {
  DUE, FORM, UI, decisionOf, dueText, dueValue, getProperty, isDuration, isHumanTask, laneOf, setDecision, setProperty,
} from './spiff-props.js';

function propertyEntry(name, label, description, toText = (v) => v || '', toValue = (v) => v, validate) {
  return function Entry({ element, id }) {
    const translate = useService('translate');
    const debounce = useService('debounceInput');
    const injector = useService('injector');
    return h(TextFieldEntry, {
      id, element, debounce, label: translate(label), description: description && translate(description),
      getValue: () => toText(getProperty(element, name)),
      setValue: (value) => setProperty(injector, element, name, toValue(value)),
      validate: validate && ((value) => validate(value, translate)),
    });
  };
}

const FormFile = propertyEntry(FORM, 'Form (JSON Schema file)', 'The file of the task\'s form, e.g. review-schema.json');
const UiFile = propertyEntry(UI, 'UI schema file', 'Field order and widgets, e.g. review-uischema.json');
const DueIn = propertyEntry(DUE, 'Due within', 'An ISO 8601 duration: P30D is 30 days, PT12H 12 hours', dueText, dueValue,
  (value, translate) => (isDuration(value) ? undefined : translate('Write a duration such as P30D (30 days)')));

function LaneRole({ element, id }) {
  const translate = useService('translate');
  const config = useService('config.schemeflow', false) || {};
  const lane = laneOf(element);
  const role = lane && (config.lanes || {})[lane];
  const text = !lane ? translate('Outside any lane: put the task in a lane named City, Province, Ministry or Admin')
    : role ? translate('Lane {lane}: done by {role}', { lane, role })
      : translate('Lane {lane} maps to no role: rename it City, Province, Ministry or Admin', { lane });
  return h('div', { class: 'bio-properties-panel-entry', 'data-entry-id': id },
    h('div', { class: 'bio-properties-panel-label' }, translate('Who does it')),
    h('div', { class: role ? 'sf-lane-role' : 'sf-lane-role sf-lane-role-missing', 'data-lane-role': role || '' }, text));
}

function Decision({ element, id }) {
  const translate = useService('translate');
  const debounce = useService('debounceInput');
  const injector = useService('injector');
  return h(TextFieldEntry, {
    id, element, debounce, label: translate('Decision (DMN decision id)'),
    getValue: () => decisionOf(element), setValue: (value) => setDecision(injector, element, value || ''),
  });
}

export default class SpiffPropertiesProvider {
  constructor(propertiesPanel, translate) {
    this.translate = translate;
    propertiesPanel.registerProvider(500, this);
  }

  getGroups(element) {
    return (groups) => {
      if (isHumanTask(element)) {
        groups.splice(1, 0, {
          id: 'schemeflow-task', label: this.translate('Task form and deadline'),
          entries: [
            { id: 'sf-lane-role', element, component: LaneRole },
            { id: 'sf-form', element, component: FormFile, isEdited: isTextFieldEntryEdited },
            { id: 'sf-ui', element, component: UiFile, isEdited: isTextFieldEntryEdited },
            { id: 'sf-due', element, component: DueIn, isEdited: isTextFieldEntryEdited },
          ],
        });
      }
      if (is(element, 'bpmn:BusinessRuleTask')) {
        groups.splice(1, 0, {
          id: 'schemeflow-decision', label: this.translate('Decision'),
          entries: [{ id: 'sf-decision', element, component: Decision, isEdited: isTextFieldEntryEdited }],
        });
      }
      return groups;
    };
  }
}
SpiffPropertiesProvider.$inject = ['propertiesPanel', 'translate'];
