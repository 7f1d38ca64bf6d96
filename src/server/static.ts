// Static files from the bundle folder (dist/web/) and nothing else. A request path is decoded once, must be made
// of plain segments (no "..", ".", empty, NUL or backslash segments: "/../", "%2e%2e%2f" and "..%5c" are refused
// before the file system is touched), and the file it names must, once every symlink is resolved, still lie inside
// the folder's own real path. Anything else is "not found": the caller answers 404.
import { realpathSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface StaticFile {
  path: string;
  size: number;
  type: string;
}

/** The bundle folder's real path (symlinks resolved), or null when it does not exist. */
export function bundleRoot(folder: string): string | null {
  try {
    const real = realpathSync(folder);
    return statSync(real).isDirectory() ? real : null;
  } catch {
    return null;
  }
}

/** The segments of a URL path, decoded; null when any of them is not a plain file or folder name. */
export function safeSegments(urlPath: string): string[] | null {
  if (!urlPath.startsWith('/')) return null;
  const raw = urlPath.slice(1).split('/');
  const segments: string[] = [];
  for (const part of raw) {
    let name: string;
    try {
      name = decodeURIComponent(part);
    } catch {
      return null; // malformed %-escape
    }
    if (
      name === '' ||
      name === '.' ||
      name === '..' ||
      name.includes('/') ||
      name.includes('\\') ||
      name.includes('\0') ||
      name.startsWith('.')
    )
      return null;
    segments.push(name);
  }
  return segments;
}

/** The file that `urlPath` names inside `root` (a real path from bundleRoot), or null. */
export function resolveStatic(root: string, urlPath: string): StaticFile | null {
  const segments = safeSegments(urlPath);
  if (segments === null || segments.length === 0) return null;
  const type = TYPES[extname(segments[segments.length - 1]).toLowerCase()];
  if (type === undefined) return null;
  let real: string;
  try {
    real = realpathSync(join(root, ...segments));
  } catch {
    return null;
  }
  // A symlink inside the folder that points out of it resolves outside: refused like "..".
  if (!real.startsWith(root + sep)) return null;
  try {
    const stat = statSync(real);
    return stat.isFile() ? { path: real, size: stat.size, type } : null;
  } catch {
    return null;
  }
}
