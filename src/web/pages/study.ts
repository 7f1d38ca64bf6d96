// A study's page: the curve (or the heatmap of a 2-D study) drawn from the same Vega-Lite spec as `xorlab plot`,
// the minimum, downloads, the comparison of two points (`xorlab summary --compare`) and the sortable summary
// table; all of it replaced whenever the server pushes a new view while a sweep writes.
import embed, { type Result } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import { append, byId, h, replace } from '../lib/dom.js';
import { ago, describeParams, describeSwept, int, num, pct, signedPct, when } from '../lib/format.js';
import { connectLive } from '../lib/live-connection.js';
import { MinimumHistory, renderMinimum } from '../lib/minimum-view.js';
import { studyFromSegment, studySegment } from '../../text/study-url.js';
import type { StudyListing, StudyView, StudySummary } from '../lib/types.js';
import { EXCLUSION_MARK, EXCLUSION_RULE, exclusionPhrase } from '../../study/analysis/metrics.js';
import { staleDivergedNote } from '../../study/analysis/stale.js';

const name = studyFromSegment(location.pathname.replace(/^\/studies\//, ''));
const api = `/api/studies/${studySegment(name)}`;
document.title = `${name} — xorlab`;
byId('title').textContent = name;

let view: StudyView | null = null;
/** Every fitted minimum the server pushed since this page opened, per curve. */
const history = new MinimumHistory();
let sort: { key: string; descending: boolean } = { key: 'point', descending: false };

// ---- charts --------------------------------------------------------------------------------------------------

/** One chart drawn at a time; a view that arrives meanwhile is drawn next (only the newest). */
let drawing: Promise<void> | null = null;
let pending: StudyView | null = null;
const results: Record<string, Result | undefined> = {};

async function drawChart(id: 'curve' | 'heatmap', spec: object | null): Promise<void> {
  const element = byId(id);
  if (spec === null) {
    results[id]?.finalize();
    results[id] = undefined;
    element.hidden = true;
    element.dataset.state = 'none';
    replace(element);
    return;
  }
  element.hidden = false;
  // The CSP allows no eval: vega's expressions run in its interpreter (ast: true), and no <style> is injected.
  // Without ARIA attributes on every mark: the chart is one image to a screen reader (role img and its own label, set
  // below), and 400 points' labels were a third of the SVG and about 80 ms of a 4,000,000-trial study's first drawing.
  const quiet: object = { ...spec, config: { ...(spec as { config?: object }).config, aria: false } };
  const result = await embed(element, quiet, {
    renderer: 'svg',
    actions: false,
    ast: true,
    expr: expressionInterpreter,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
  });
  results[id]?.finalize();
  results[id] = result;
  // After the embed: vega gives its container role graphics-document and the label "Vega visualization".
  element.setAttribute('role', 'img');
  element.setAttribute(
    'aria-label',
    id === 'curve'
      ? `Curve of study ${name}: mean total loss against the swept parameter`
      : `Heatmap of study ${name}: mean total loss per pair of values`,
  );
  element.removeAttribute('aria-roledescription');
  // vega still gives each group of marks role graphics-symbol, without a name: axe's svg-img-alt. The container is
  // the image and has the name; the drawing inside it is hidden from the accessibility tree.
  element.querySelector('svg')?.setAttribute('aria-hidden', 'true');
  element.dataset.state = 'drawn';
  if (performance.getEntriesByName('xorlab:first-drawn').length === 0) performance.mark('xorlab:first-drawn');
}

function scheduleCharts(v: StudyView): void {
  pending = v;
  if (drawing) return;
  drawing = (async () => {
    while (pending) {
      const next = pending;
      pending = null;
      try {
        await drawChart('curve', next.charts.curve);
        await drawChart('heatmap', next.charts.heatmap);
      } catch (error) {
        showProblem(`The chart could not be drawn: ${(error as Error).message}`);
      }
    }
    drawing = null;
  })();
}

// ---- text ----------------------------------------------------------------------------------------------------

function showProblem(text: string | null): void {
  const p = byId('problem');
  p.hidden = text === null;
  p.textContent = text ?? '';
}

function renderMeta(v: StudyView): void {
  const s = v.study;
  const planned = s.planned;
  const trials =
    planned && s.trials <= planned.trials
      ? `${int(s.trials)} of ${int(planned.trials)} trials`
      : `${int(s.trials)} trials`;
  const points =
    planned && planned.points !== s.points
      ? `${int(s.points)} of ${int(planned.points)} points`
      : `${int(s.points)} points`;
  const parts = [describeSwept(s.swept), points, trials, `created ${when(s.createdAt)}`];
  if (s.updatedAt) parts.push(`updated ${ago(s.updatedAt)}`);
  byId('meta').textContent = parts.join(' · ');
  byId('meta').dataset.trials = String(s.trials);
  const note = byId('chart-note');
  note.hidden = v.charts.note === null;
  note.textContent = v.charts.note ?? '';

  const m = v.summary.minimum;
  const left = m ? exclusionPhrase(m.excluded, m.count + m.excluded) : '';
  byId('minimum').textContent = m
    ? `Lowest mean total loss: point ${m.point} (${describeParams(m.params)}), ${num(m.mean)}` +
      (m.low !== null && m.high !== null
        ? `, ${pct(m.level, 0)} CI [${num(m.low)}, ${num(m.high)}], n = ${int(m.count)}`
        : `, n = ${int(m.count)}`) +
      (left ? ` (${left})` : '')
    : '';
  const stale = byId('stale');
  const count = v.summary.staleDiverged ?? 0;
  stale.hidden = count === 0;
  stale.textContent = count === 0 ? '' : staleDivergedNote(count, `xorlab recheck ${s.name}`);
}

function renderDownloads(v: StudyView): void {
  const link = (href: string, text: string, testid: string): HTMLAnchorElement =>
    h('a', { href, download: '', 'data-testid': testid }, text);
  const chart = v.charts.curve ? 'curve' : v.charts.heatmap ? 'heatmap' : null;
  const links: (HTMLElement | string)[] = [
    'Download: ',
    link(`${api}/trials?format=csv`, 'trials CSV', 'download-csv'),
    ' · ',
    link(`${api}/trials?format=jsonl`, 'trials JSONL', 'download-jsonl'),
    ' · ',
    link(`${api}/summary`, 'summary JSON', 'download-summary'),
  ];
  if (chart)
    links.push(
      ' · ',
      link(`${api}/${chart}.png`, `${chart} PNG`, 'download-png'),
      ' · ',
      link(`${api}/${chart}.svg`, `${chart} SVG`, 'download-svg'),
    );
  replace(byId('downloads'), ...links);
}

// ---- compare -------------------------------------------------------------------------------------------------

function pointLabel(p: StudySummary['points'][number]): string {
  return `${p.point}: ${describeParams(p.params)}`;
}

function renderCompareChoices(v: StudyView): void {
  const a = byId<HTMLSelectElement>('compare-a');
  const b = byId<HTMLSelectElement>('compare-b');
  const points = v.summary.points;
  const same = a.options.length === points.length && points.every((p, k) => a.options[k].value === String(p.point));
  if (same) return; // keep the reader's choice while counts change
  const keepA = a.value;
  const keepB = b.value;
  const options = (): HTMLOptionElement[] => points.map((p) => h('option', { value: p.point }, pointLabel(p)));
  replace(a, ...options());
  replace(b, ...options());
  if (points.length === 0) return;
  // By default: the first point against the lowest mean (or the last point, when the first has the lowest mean).
  const first = String(points[0].point);
  const lowest = v.summary.minimum === null ? null : String(v.summary.minimum.point);
  a.value = keepA && points.some((p) => String(p.point) === keepA) ? keepA : first;
  b.value =
    keepB && points.some((p) => String(p.point) === keepB)
      ? keepB
      : lowest !== null && lowest !== first
        ? lowest
        : String(points[points.length - 1].point);
}

async function runCompare(): Promise<void> {
  const a = byId<HTMLSelectElement>('compare-a').value;
  const b = byId<HTMLSelectElement>('compare-b').value;
  const level = byId<HTMLSelectElement>('compare-level').value;
  const out = byId('compare-result');
  if (a === '' || b === '') {
    out.textContent = 'There are no points to compare yet.';
    return;
  }
  out.textContent = 'Comparing…';
  const query = new URLSearchParams([
    ['compare', `point=${a}`],
    ['compare', `point=${b}`],
    ['level', level],
  ]);
  const response = await fetch(`${api}/summary?${query.toString()}`);
  const body = (await response.json()) as StudySummary & { error?: string };
  if (!response.ok || !body.comparison) {
    out.textContent = body.error ?? `the server answered ${response.status}`;
    out.dataset.state = 'error';
    return;
  }
  const c = body.comparison;
  if (!('percent' in c)) return; // the page asks for total loss, never a success rate
  const ci = `${pct(Number(level), 0)} CI [${signedPct(c.low)}, ${signedPct(c.high)}]`;
  const direction = c.percent < 0 ? 'lower (better)' : 'higher (worse)';
  out.dataset.state = 'done';
  replace(
    out,
    h('strong', {}, `B − A: ${signedPct(c.percent)} of A`),
    `, ${ci}: B's mean total loss (${num(c.b.mean)}, n = ${int(c.b.count)}) is ${Math.abs(c.percent).toFixed(2)}% ${direction} than A's (${num(c.a.mean)}, n = ${int(c.a.count)}); Welch p = ${num(c.pValue, 3)}.` +
      (
        [
          ['A', c.a],
          ['B', c.b],
        ] as const
      )
        .map(([side, x]) => (x.excluded ? ` ${side}: ${exclusionPhrase(x.excluded, x.count + x.excluded)}.` : ''))
        .join(''),
  );
}

// ---- table ---------------------------------------------------------------------------------------------------

type Row = StudySummary['points'][number];

function columns(
  v: StudyView,
): { key: string; label: string; value: (p: Row) => number | string | null; text: (p: Row) => string }[] {
  const params = v.study.axes.map((axis) => ({
    key: `param:${axis}`,
    label: axis,
    value: (p: Row) => p.params[axis] ?? null,
    text: (p: Row) => (typeof p.params[axis] === 'number' ? num(p.params[axis]) : String(p.params[axis] ?? '–')),
  }));
  const n = (key: keyof Row, label: string, format: (x: number | null) => string = (x) => num(x)) => ({
    key,
    label,
    value: (p: Row) => p[key] as number | null,
    text: (p: Row) => format(p[key] as number | null),
  });
  return [
    n('point', 'point', (x) => String(x)),
    ...params,
    { ...n('mean', 'mean'), text: (p: Row) => `${num(p.mean)}${p.value.marked ? ` ${EXCLUSION_MARK}` : ''}` },
    n('std', 'std'),
    n('lossCount', 'count', (x) => (x === null ? '–' : int(x))),
    n('stderr', 'stderr', (x) => num(x, 4)),
    n('rse', 'rse', (x) => pct(x, 2)),
    n('successRate', 'success', (x) => pct(x)),
    n('diverged', 'diverged', (x) => (x === null ? '–' : int(x))),
  ];
}

function compareValues(a: number | string | null, b: number | string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1; // nulls last
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

function renderTable(v: StudyView): void {
  const table = byId<HTMLTableElement>('summary');
  const cols = columns(v);
  const col = cols.find((c) => c.key === sort.key) ?? cols[0];
  const rows = [...v.summary.points].sort((x, y) => {
    const d = compareValues(col.value(x), col.value(y));
    return (sort.descending ? -d : d) || x.point - y.point;
  });
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.sortKey : undefined;
  const header = h(
    'tr',
    {},
    ...cols.map((c) => {
      const active = c.key === col.key;
      const button = h(
        'button',
        { type: 'button', 'data-sort-key': c.key, 'data-testid': `sort-${c.key.replace(/^param:/, '')}` },
        c.label,
        h('span', { 'aria-hidden': 'true' }, active ? (sort.descending ? ' ▼' : ' ▲') : ''),
      );
      button.addEventListener('click', () => {
        sort = { key: c.key, descending: active ? !sort.descending : false };
        if (view) renderTable(view);
      });
      return h(
        'th',
        { scope: 'col', 'aria-sort': active ? (sort.descending ? 'descending' : 'ascending') : null },
        button,
      );
    }),
  );
  const body = h(
    'tbody',
    {},
    ...rows.map((p) =>
      h(
        'tr',
        { 'data-testid': 'summary-row', 'data-point': p.point },
        ...cols.map((c, k) => (k === 0 ? h('th', { scope: 'row' }, c.text(p)) : h('td', {}, c.text(p)))),
      ),
    ),
  );
  replace(
    table,
    h('caption', { class: 'visually-hidden' }, `Summary of study ${name} per point`),
    h('thead', {}, header),
    body,
  );
  const marked = byId('marked-note');
  marked.hidden = v.summary.excluded === 0;
  marked.textContent =
    v.summary.excluded === 0
      ? ''
      : `${int(v.summary.excluded)} diverged trials are left out of the means (the diverged column)${v.summary.markedPoints.length ? `; ${EXCLUSION_RULE}` : ''}.`;
  if (focused !== undefined)
    table.querySelector<HTMLButtonElement>(`button[data-sort-key="${CSS.escape(focused)}"]`)?.focus();
}

// ---- wiring --------------------------------------------------------------------------------------------------

function show(v: StudyView): void {
  if (view === null) performance.mark('xorlab:first-view');
  view = v;
  byId('content').hidden = false;
  showProblem(null);
  renderMeta(v);
  history.add(v.minimum);
  renderMinimum(byId('fits'), v.minimum, history);
  renderDownloads(v);
  renderCompareChoices(v);
  renderTable(v);
  scheduleCharts(v);
}

byId<HTMLFormElement>('compare').addEventListener('submit', (event) => {
  event.preventDefault();
  runCompare().catch(
    (error: unknown) => (byId('compare-result').textContent = `The comparison failed: ${(error as Error).message}`),
  );
});

// First whether the study exists (the event stream of an unknown study is refused with a 404, which the browser
// reports as an error), then the event stream: it sends the study's view at once and then every change.
async function start(): Promise<void> {
  const response = await fetch('/api/studies');
  const studies = (await response.json()) as { name: string; error?: string }[];
  const listed = studies.find((s) => s.name === name);
  const stop = (problem: string): void => {
    byId('meta').textContent = '';
    showProblem(problem);
    append(byId('problem'), ' ', h('a', { href: '/' }, 'See all studies.'));
    byId('live').textContent = '';
  };
  if (!listed) return stop(`There is no study named “${name}” in this database.`);
  if (listed.error !== undefined) return stop(`The study “${name}” cannot be read: ${listed.error}.`);
  const live = connectLive(
    `/api/events?study=${encodeURIComponent(name)}`,
    {
      study: (data) => show(data as StudyView),
      // The counts arrive every poll; the view (its fitted minimum) at most once a second: the line follows them.
      studies: (data) => {
        const line = (data as StudyListing[]).find((s) => s.name === name);
        if (view && line && (line.trials !== view.study.trials || line.points !== view.study.points))
          renderMeta({
            ...view,
            study: { ...view.study, trials: line.trials, points: line.points, updatedAt: line.updatedAt },
          });
      },
      gone: () => showProblem(`The study “${name}” is no longer in the database.`),
      // A study whose stored rows are damaged: said once, and the page stops listening.
      problem: (data) => {
        live.close();
        stop(`${(data as { error: string }).error}.`);
      },
    },
    byId('live'),
  );
}

start().catch((error: unknown) => showProblem(`The page could not load the study: ${(error as Error).message}`));
