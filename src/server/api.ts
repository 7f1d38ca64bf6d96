// The JSON API, for the pages and for scripts:
//   GET /api/studies                               the studies (xorlab studies --json, plus planned and updatedAt)
//   GET /api/studies/<name>                        one study's view: its line, summary and chart specs
//   GET /api/studies/<name>/summary[?compare=A&compare=B][&level=0.95]   xorlab summary --json, the same object
//   GET /api/studies/<name>/trials?format=csv|jsonl|mongo                every trial, streamed (xorlab export)
//   GET /api/studies/<name>/curve.svg|png, heatmap.svg|png               the charts as xorlab plot renders them
//   GET /api/events[?study=<name>]                 Server-Sent Events: `studies` and `study` on every change
// Every error is a 4xx/5xx with {"error": "..."} on one line.
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TopLevelSpec } from 'vega-lite';
import { render } from '../plot/render.js';
import { StoreError, type Store, type StudyRecord } from '../store/types.js';
import { StudyError } from '../study/definition/definition.js';
import { staleDivergedTrials } from '../study/analysis/stale.js';
import { MAX_LEVEL, MIN_LEVEL, summaryReport } from '../study/analysis/summary.js';
import { TRIAL_FORMATS, trialText, type TrialFormat } from '../study/views/trial-text.js';
import { HttpError, securityHeaders, sendJson } from './http.js';
import type { LiveStudies } from './live-studies.js';
import { DEFAULT_LEVEL, studyCharts } from '../study/views/view.js';

const CHART_FILES = /^(curve|heatmap)\.(svg|png)$/;

/** Checks that the query has only the `allowed` parameters, each at most once unless listed in `repeatable`. */
function checkQuery(url: URL, allowed: readonly string[], repeatable: readonly string[] = []): void {
  for (const key of new Set(url.searchParams.keys())) {
    if (!allowed.includes(key)) {
      throw new HttpError(
        400,
        `unknown query parameter "${key}"; ${allowed.length ? `allowed: ${allowed.join(', ')}` : 'this route takes none'}`,
      );
    }
    if (!repeatable.includes(key) && url.searchParams.getAll(key).length > 1)
      throw new HttpError(400, `query parameter "${key}" is given more than once`);
  }
}

/** A file name for Content-Disposition made of safe characters only (a study name may hold anything). */
function fileName(study: string, extension: string): string {
  const safe =
    study
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 80) || 'study';
  // RFC 8187's attr-char has no ' ( ) *, which encodeURIComponent leaves as they are (a ' ends the charset part).
  const encoded = encodeURIComponent(study).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${safe}.${extension}"; filename*=UTF-8''${encoded}.${extension}`;
}

export function createApi(
  store: Store,
  live: LiveStudies,
): (req: IncomingMessage, res: ServerResponse, url: URL, segments: string[]) => Promise<void> {
  // Over HTTP the database's location is not said (the CLI, on the user's own machine, says it).
  const requireStudy = async (name: string): Promise<StudyRecord> => {
    const record = await store.getStudy(name);
    if (!record) throw new HttpError(404, `no study named "${name}"`);
    return record;
  };
  /** The study, when it can be read: a damaged one is its own one-line 500, never the whole server's. */
  const requireReadable = async (name: string): Promise<StudyRecord> => {
    const record = await requireStudy(name);
    if (record.damaged !== undefined) throw new HttpError(500, `study "${name}" cannot be read: ${record.damaged}`);
    return record;
  };
  /** Runs a study's read; a damaged study's error (bad stored params) is said as that study's, in one line. */
  const studyRead = async <T>(name: string, read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof HttpError || error instanceof StudyError) throw error;
      throw new HttpError(500, live.problem(name, error));
    }
  };

  return async (req, res, url, segments) => {
    // segments: ['api', ...]
    const [, resource, name, part, ...rest] = segments;
    if (resource === 'events' && name === undefined) {
      checkQuery(url, ['study']);
      const study = url.searchParams.get('study');
      if (study !== null) await requireReadable(study);
      if (req.method === 'HEAD') {
        res.writeHead(200, {
          ...securityHeaders(),
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-store',
        });
        res.end();
        return;
      }
      return live.subscribe(res, study);
    }
    if (resource !== 'studies' || rest.length > 0)
      throw new HttpError(404, `no API route ${url.pathname}; see /api/studies`);
    if (name === undefined) {
      checkQuery(url, []);
      return sendJson(res, 200, (await live.refresh()).lines);
    }
    const record = await requireReadable(name);
    if (part === undefined) {
      checkQuery(url, []);
      return sendJson(res, 200, await studyRead(name, () => live.view(record)));
    }
    if (part === 'summary') {
      checkQuery(url, ['compare', 'level'], ['compare']);
      const compare = url.searchParams.getAll('compare');
      if (compare.length !== 0 && compare.length !== 2)
        throw new HttpError(
          400,
          `compare takes two points, A and B (?compare=1&compare=0.7071), got ${compare.length}`,
        );
      const levelText = url.searchParams.get('level');
      const level = levelText === null ? DEFAULT_LEVEL : Number(levelText);
      if (levelText !== null && (levelText.trim() === '' || !(level >= MIN_LEVEL && level <= MAX_LEVEL))) {
        throw new HttpError(
          400,
          `level must be a number >= ${MIN_LEVEL} and <= ${MAX_LEVEL} (as xorlab summary --level), got "${levelText}"`,
        );
      }
      const points = await studyRead(name, () => store.summarize(name));
      try {
        // A point to compare given by a value off its grid: the CLI's warning, carried in the answer.
        const warnings: string[] = [];
        const summary = summaryReport(name, points, {
          level,
          compare: compare.length === 2 ? [compare[0], compare[1]] : undefined,
          onWarning: (line) => warnings.push(line),
        });
        summary.staleDiverged = (await staleDivergedTrials(store, name, points)).length; // as xorlab summary --json says it
        return sendJson(res, 200, warnings.length ? { ...summary, warnings } : summary);
      } catch (error) {
        if (error instanceof StudyError) throw new HttpError(400, error.message.replace(/^--compare/, 'compare'));
        throw error;
      }
    }
    if (part === 'trials') {
      checkQuery(url, ['format']);
      const format = url.searchParams.get('format') ?? 'csv';
      if (!(TRIAL_FORMATS as readonly string[]).includes(format))
        throw new HttpError(400, `format must be one of ${TRIAL_FORMATS.join(', ')}, got "${format}"`);
      return streamTrials(req, res, store, record, format as TrialFormat, (error) => live.problem(name, error));
    }
    const chart = CHART_FILES.exec(part);
    if (chart) {
      checkQuery(url, []);
      const [, kind, extension] = chart;
      const charts = studyCharts(record, await studyRead(name, () => store.summarize(name)));
      const spec: TopLevelSpec | null = kind === 'curve' ? charts.curve : charts.heatmap;
      if (spec === null) {
        const other = kind === 'curve' ? charts.heatmap && 'heatmap' : charts.curve && 'curve';
        throw new HttpError(
          404,
          other
            ? `study "${name}" has a ${other}, not a ${kind}: ask for ${other}.${extension}`
            : (charts.note ?? `study "${name}" has no ${kind}`),
        );
      }
      const data = await render(spec, extension as 'svg' | 'png');
      const body = typeof data === 'string' ? Buffer.from(data) : data;
      res.writeHead(200, {
        ...securityHeaders(),
        'Content-Type': extension === 'svg' ? 'image/svg+xml' : 'image/png',
        'Content-Length': String(body.length),
        'Content-Disposition': fileName(`${name}-${kind}`, extension),
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    throw new HttpError(
      404,
      `no API route ${url.pathname}; a study has /summary, /trials, /curve.svg, /curve.png, /heatmap.svg, /heatmap.png`,
    );
  };
}

/** Streams every trial with backpressure; a client that goes away stops the reading. The first chunk is read
 * before the header, so that a study that cannot be read (damaged params) is a one-line JSON error, not an empty
 * reply. */
async function streamTrials(
  req: IncomingMessage,
  res: ServerResponse,
  store: Store,
  record: StudyRecord,
  format: TrialFormat,
  problem: (error: unknown) => string,
): Promise<void> {
  const chunks = trialText(format, record.definition, store.iterateTrials(record.name))[Symbol.asyncIterator]();
  let first: IteratorResult<string>;
  try {
    first = req.method === 'HEAD' ? { done: true, value: undefined } : await chunks.next();
  } catch (error) {
    throw new HttpError(500, problem(error));
  }
  res.writeHead(200, {
    ...securityHeaders(),
    'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'Content-Disposition': fileName(record.name, format === 'mongo' ? 'mongo.json' : format), // mongo: Extended JSON for mongoimport
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') {
    await chunks.return?.(undefined);
    res.end();
    return;
  }
  try {
    for (let next = first; !next.done; next = await chunks.next()) {
      if (res.destroyed) {
        await chunks.return?.(undefined);
        return;
      }
      if (!res.write(next.value)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
    res.end();
  } catch (error) {
    // The status line is gone: the only honest signal left is a broken stream.
    res.destroy(error instanceof StoreError ? error : new Error('failed while streaming'));
  }
}
