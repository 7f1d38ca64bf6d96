// The settings form, built from the field table (fields.ts): a labelled control per field, its hint, and its
// problem shown beside it (aria-invalid, aria-describedby) so a keyboard or screen-reader user hears what is wrong.
import { FIELDS, isShown, type Field } from './fields.js';
import type { PlaygroundState, Problem } from './state.js';
import { el } from './dom.js';

export interface FieldControl {
  field: Field;
  wrapper: HTMLElement;
  input: HTMLInputElement | HTMLSelectElement;
  error: HTMLElement;
}

/** Builds the controls of every field into the container of its group; returns them by key. */
export function buildForm(
  containers: Record<Field['group'], HTMLElement>,
  state: PlaygroundState,
): Map<string, FieldControl> {
  const controls = new Map<string, FieldControl>();
  for (const field of FIELDS) {
    const id = `field-${field.key}`;
    let input: HTMLInputElement | HTMLSelectElement;
    if (field.kind === 'choice') {
      input = el('select', { id, name: field.key });
      for (const choice of field.choices ?? []) input.append(el('option', { value: choice.value }, choice.label));
    } else {
      input = el('input', {
        id,
        name: field.key,
        type: 'text',
        autocomplete: 'off',
        spellcheck: 'false',
        inputmode: field.kind === 'integer' ? 'numeric' : field.kind === 'number' ? 'decimal' : 'text',
      });
    }
    input.dataset.testid = `field-${field.key}`;
    const error = el('small', { class: 'error', id: `${id}-error` });
    const described = [`${id}-error`];
    const wrapper = el('div', { class: 'field' }, el('label', { for: id }, field.label), input);
    if (field.hint) {
      wrapper.append(el('small', { class: 'hint', id: `${id}-hint` }, field.hint));
      described.push(`${id}-hint`);
    }
    wrapper.append(error);
    input.setAttribute('aria-describedby', described.join(' '));
    containers[field.group].append(wrapper);
    controls.set(field.key, { field, wrapper, input, error });
  }
  writeForm(controls, state);
  return controls;
}

/** Puts the state's values into the controls (a select given a value it lacks shows it as an extra option). */
export function writeForm(controls: Map<string, FieldControl>, state: PlaygroundState): void {
  for (const { field, input } of controls.values()) {
    const value = state.values[field.key] ?? field.initial;
    if (input instanceof HTMLSelectElement && ![...input.options].some((o) => o.value === value)) {
      input.append(el('option', { value, 'data-unknown': '' }, `${value} (not allowed)`));
    }
    input.value = value;
  }
}

/** Shows or hides the fields that depend on others, and marks the problems (fields with problems always show). */
export function showProblems(
  controls: Map<string, FieldControl>,
  state: PlaygroundState,
  problems: readonly Problem[],
): void {
  for (const { field, wrapper, input, error } of controls.values()) {
    const mine = problems.filter((p) => p.key === field.key).map((p) => p.message);
    error.textContent = mine.join('; ');
    if (mine.length) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    wrapper.hidden = !isShown(field, state.values) && mine.length === 0;
  }
}
