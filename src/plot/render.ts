// Renders a Vega-Lite spec in Node: vega's headless View gives the SVG (no DOM, no browser), resvg turns the SVG
// into a PNG with the DejaVu Sans font files shipped by the dejavu-fonts-ttf package (no system fonts needed).
import { writeFileSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { fontFiles, textWidth } from './fonts.js';
import { loadExtra } from '../text/packages.js';
import { fileErrorReason } from '../text/format.js';
import { FONT } from './theme.js';
import { ChartFileError } from './errors.js';

export { PLOT_FORMATS, type ChartFormat as PlotFormat } from './types.js';
import type { ChartFormat as PlotFormat } from './types.js';

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  text?: unknown;
}

type Renderers = {
  vega: typeof import('vega');
  compile: typeof import('vega-lite').compile;
  Resvg: typeof import('@resvg/resvg-js').Resvg;
};
let renderers: Promise<Renderers> | undefined;

/**
 * vega, vega-lite and resvg take a good part of a second to load; they are loaded on the first chart, so that
 * commands which draw nothing (and `xorlab train` without --plot-weights) start fast.
 */
function loadRenderers(): Promise<Renderers> {
  renderers ??= (async () => {
    // Optional packages (package.json's peerDependencies): a missing one is named with its install command.
    const [vega, vegaLite, resvg] = await loadExtra('charts', () => {
      fontFiles();
      return Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
    });
    // Vega measures text for layout; give it the real widths of the font that resvg draws with.
    (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics.width = (
      item,
      text,
    ) => {
      const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
      const line = typeof text === 'string' ? text.trim() : typeof text === 'number' ? String(text) : '';
      const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
      return size <= 0 ? 0 : textWidth(line, size, bold);
    };
    return { vega, compile: vegaLite.compile, Resvg: resvg.Resvg };
  })();
  return renderers;
}

/** Loads the chart packages now: a command that draws only at its end (xorlab reproduce) learns first that one is
 * missing (a MissingPackageError), not after its work. */
export async function loadChartPackages(): Promise<void> {
  await loadRenderers();
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await loadRenderers();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The rendered scenegraph of a spec (vega's, laid out as for the SVG): every mark with its items and their bounds,
 * for checks that need where things are drawn (a label over a line). */
export async function renderScene(spec: TopLevelSpec): Promise<unknown> {
  const { vega, compile } = await loadRenderers();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    await view.runAsync();
    return (view.scenegraph() as unknown as { root: unknown }).root;
  } finally {
    view.finalize();
  }
}

/** PNG at `scale` times the SVG's size (2 by default: sharp when shown at the SVG's ~800 px). */
export async function renderPng(spec: TopLevelSpec, scale = 2): Promise<Buffer> {
  const svg = await renderSvg(spec);
  const { Resvg } = await loadRenderers();
  const resvg = new Resvg(svg, {
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT, sansSerifFamily: FONT },
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
  });
  return resvg.render().asPng();
}

/** The format a file name asks for (by its extension), or null. */
export function formatOf(path: string): PlotFormat | null {
  const match = /\.(svg|png)$/i.exec(path);
  return match ? (match[1].toLowerCase() as PlotFormat) : null;
}

export async function render(spec: TopLevelSpec, format: PlotFormat): Promise<string | Buffer> {
  return format === 'svg' ? renderSvg(spec) : renderPng(spec);
}

export { ChartFileError };

/** Renders `spec` into `path` as SVG or PNG, chosen by the file's extension. */
export async function writeChart(spec: TopLevelSpec, path: string): Promise<void> {
  const format = formatOf(path);
  if (format === null) throw new ChartFileError(`${path}: the chart file must end in .svg or .png`);
  const data = await render(spec, format);
  try {
    writeFileSync(path, data);
  } catch (error) {
    throw new ChartFileError(`cannot write ${path} (${fileErrorReason(error, 'no such directory')})`);
  }
}
