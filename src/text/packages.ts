// The npm packages xorlab uses only for some features: a database other than SQLite, distributed studies, charts.
// They are optional peer dependencies (package.json), so that a project that only trains networks does not install
// them; each is loaded when its feature is first used, and a missing one is one line that names the command that
// installs it. A leaf: the store, plot and study rooms use it.
import { XorlabError } from './errors.js';

/** What each extra is for, and the packages it needs with the ranges of package.json's peerDependencies. */
export const EXTRAS = {
  charts: {
    purpose:
      "charts (xorlab plot, the figures of xorlab reproduce, train --plot-weights, renderChart, the dashboard's PNG and SVG downloads)",
    packages: { vega: '^6.4.0', 'vega-lite': '~6.4.3', '@resvg/resvg-js': '^2.6.2', 'dejavu-fonts-ttf': '^2.37.3' },
  },
  postgres: {
    purpose: 'PostgreSQL stores (--db postgres://...)',
    packages: { pg: '^8.23.1', 'pg-connection-string': '^2.14.1', pgpass: '^1.0.6' },
  },
  distributed: {
    purpose: 'distributed studies (--distributed, xorlab worker)',
    packages: { 'pg-boss': '10.4.2', pg: '^8.23.1', 'pg-connection-string': '^2.14.1', pgpass: '^1.0.6' },
  },
  mongodb: {
    purpose: 'MongoDB stores (--db mongodb://...)',
    packages: { mongodb: '^6.22.0' },
  },
} as const satisfies Record<string, { purpose: string; packages: Record<string, string> }>;

export type ExtraName = keyof typeof EXTRAS;

/** The shell command that installs an extra's packages at the versions xorlab is made for. */
export function installCommand(extra: ExtraName): string {
  return `npm install ${Object.entries(EXTRAS[extra].packages)
    .map(([name, range]) => `'${name}@${range}'`)
    .join(' ')}`;
}

/** An optional package that a feature needs is not installed. */
export class MissingPackageError extends XorlabError {}

/** The package a failed import or require could not find, when it is one of `names` ('dejavu-fonts-ttf/package.json'
 * counts as dejavu-fonts-ttf); undefined for any other failure, such as a file of xorlab's own that is missing. */
function missingPackage(error: unknown, names: readonly string[]): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const wanted = /Cannot find (?:package|module) '([^']+)'/.exec(String(message))?.[1];
  return names.find((name) => wanted === name || wanted?.startsWith(`${name}/`));
}

/** Runs `load` (an import or require of an extra's package); a package of the extra that is not installed becomes a
 * MissingPackageError naming it and the install command. */
export async function loadExtra<T>(extra: ExtraName, load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = missingPackage(error, Object.keys(EXTRAS[extra].packages));
    if (missing === undefined) throw error;
    throw new MissingPackageError(
      `${EXTRAS[extra].purpose} need the npm package ${missing}, which is not installed; install it with: ${installCommand(extra)}`,
    );
  }
}
