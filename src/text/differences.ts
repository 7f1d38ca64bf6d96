// Where two JSON documents differ, key by key (values compared as JSON text, so key order inside a value counts):
// what the store and the study layer say when a stored study and a given one are not the same.

interface Difference {
  /** The key, or `parent.key` inside an expanded object. */
  path: string;
  stored: unknown;
  given: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The top-level keys whose values differ, in the order `keys` gives (default: stored's keys then given's), with
 * the objects under `expand` compared key by key one level down.
 */
export function jsonDifferences(
  stored: unknown,
  given: unknown,
  options: { keys?: readonly string[]; expand?: readonly string[] } = {},
): Difference[] {
  const s = isObject(stored) ? stored : {};
  const g = isObject(given) ? given : {};
  const keys = options.keys ?? [...new Set([...Object.keys(s), ...Object.keys(g)])];
  const out: Difference[] = [];
  for (const key of keys) {
    if (options.expand?.includes(key) && isObject(s[key] ?? {}) && isObject(g[key] ?? {})) {
      out.push(...jsonDifferences(s[key] ?? {}, g[key] ?? {}).map((d) => ({ ...d, path: `${key}.${d.path}` })));
    } else if (JSON.stringify(s[key]) !== JSON.stringify(g[key])) {
      out.push({ path: key, stored: s[key], given: g[key] });
    }
  }
  return out;
}
