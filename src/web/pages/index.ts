// The dashboard: every study of the database with its progress, kept up to date by the server's event stream.
// Rows are updated in place (a keyboard user's focus stays where it is while counts change).
import { byId, h, replace } from '../lib/dom.js';
import { ago, describeSwept, int, when } from '../lib/format.js';
import { connectLive } from '../lib/live-connection.js';
import { studySegment } from '../../text/study-url.js';
import type { StudyListing } from '../lib/types.js';

const container = byId('studies');
const rows = new Map<string, { row: HTMLTableRowElement; cells: Record<string, HTMLElement> }>();
let table: HTMLTableElement | null = null;
let latest: StudyListing[] = [];

function emptyState(): HTMLElement {
  return h(
    'div',
    { class: 'empty', 'data-testid': 'no-studies' },
    h('p', {}, 'No studies in this database yet. Start one in a terminal; it appears here as it runs:'),
    h('pre', {}, h('code', {}, 'xorlab sweep --name article --sweep hiddenStd=exp:-3:4:400 --repeats 10')),
  );
}

function studyHref(name: string): string {
  return `/studies/${studySegment(name)}`;
}

function newTable(): HTMLTableElement {
  const head = ['Study', 'Swept', 'Points', 'Trials', 'Updated', 'Created'];
  return h(
    'table',
    { class: 'studies' },
    h('caption', { class: 'visually-hidden' }, 'Studies in this database'),
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}),
  );
}

function newRow(name: string): { row: HTMLTableRowElement; cells: Record<string, HTMLElement> } {
  const cells = {
    name: h('a', { href: studyHref(name), 'data-testid': 'study-link' }, name),
    swept: h('span', {}),
    points: h('span', { 'data-testid': 'study-points' }),
    trials: h('span', { 'data-testid': 'study-trials' }),
    progress: h('progress', { max: 1, value: 0 }),
    updated: h('span', { 'data-testid': 'study-updated' }),
    created: h('span', {}),
  };
  const row = h(
    'tr',
    { 'data-testid': 'study-row' },
    h('th', { scope: 'row', 'data-label': 'Study' }, cells.name),
    h('td', { 'data-label': 'Swept' }, cells.swept),
    h('td', { class: 'n', 'data-label': 'Points' }, cells.points),
    h('td', { class: 'n trials', 'data-label': 'Trials' }, cells.trials, cells.progress),
    h('td', { 'data-label': 'Updated' }, cells.updated),
    h('td', { 'data-label': 'Created' }, cells.created),
  );
  return { row, cells };
}

function fill(entry: { row: HTMLTableRowElement; cells: Record<string, HTMLElement> }, s: StudyListing): void {
  const { cells, row } = entry;
  // A study whose stored definition is damaged is listed with what is wrong; the others stay as they are.
  cells.swept.textContent = s.error !== undefined ? `⚠ damaged: ${s.error}` : describeSwept(s.swept);
  if (s.error !== undefined) row.dataset.damaged = 'true';
  else delete row.dataset.damaged;
  cells.points.textContent =
    s.planned && s.planned.points !== s.points ? `${int(s.points)} of ${int(s.planned.points)}` : int(s.points);
  const planned = s.planned?.trials ?? null;
  const progress = cells.progress as HTMLProgressElement;
  if (planned !== null && s.trials <= planned) {
    cells.trials.textContent = `${int(s.trials)} of ${int(planned)}`;
    progress.max = planned;
    progress.value = s.trials;
    progress.hidden = false;
    progress.setAttribute('aria-label', `${s.name}: ${Math.floor((100 * s.trials) / planned)}% of the planned trials`);
  } else {
    cells.trials.textContent =
      planned !== null ? `${int(s.trials)} (sweep planned ${int(planned)}; refined)` : int(s.trials);
    progress.hidden = true;
  }
  row.dataset.trials = String(s.trials);
  row.dataset.name = s.name;
  cells.updated.textContent = s.updatedAt ? ago(s.updatedAt) : '–';
  cells.updated.title = s.updatedAt ? when(s.updatedAt) : 'no new trials since this server started';
  cells.created.textContent = when(s.createdAt);
}

function render(studies: StudyListing[]): void {
  latest = studies;
  container.removeAttribute('aria-busy');
  if (studies.length === 0) {
    table = null;
    rows.clear();
    replace(container, emptyState());
    return;
  }
  if (!table) {
    table = newTable();
    replace(container, h('div', { class: 'scroll' }, table));
  }
  const body = table.tBodies[0];
  const names = new Set(studies.map((s) => s.name));
  for (const [name, entry] of rows) {
    if (!names.has(name)) {
      entry.row.remove();
      rows.delete(name);
    }
  }
  // Newest first: the study a sweep is writing now is usually the one wanted.
  const ordered = [...studies].reverse();
  ordered.forEach((s, k) => {
    let entry = rows.get(s.name);
    if (!entry) {
      entry = newRow(s.name);
      rows.set(s.name, entry);
    }
    fill(entry, s);
    if (body.children[k] !== entry.row) body.insertBefore(entry.row, body.children[k] ?? null);
  });
}

connectLive('/api/events', { studies: (data) => render(data as StudyListing[]) }, byId('live'));
// "12 s ago" moves on by itself.
window.setInterval(() => {
  for (const s of latest) {
    const entry = rows.get(s.name);
    if (entry && s.updatedAt) entry.cells.updated.textContent = ago(s.updatedAt);
  }
}, 5000);
