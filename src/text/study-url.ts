// A study's name in a URL path (/studies/<name>, /api/studies/<name>/...). Names are any text, and a browser
// resolves the segments "." and ".." (also when written %2E) before it sends a request, so encodeURIComponent alone
// cannot carry those two names: they become "@." and "@..". encodeURIComponent never leaves "@" raw (it writes %40),
// so no other name encodes to those segments and every name round-trips.

/** The path segment for a study's name. */
export function studySegment(name: string): string {
  const encoded = encodeURIComponent(name);
  return encoded === '.' || encoded === '..' ? `@${encoded}` : encoded;
}

/** The name a raw (still %-encoded) path segment stands for; throws URIError on a malformed %-escape. */
export function studyFromSegment(segment: string): string {
  return segment === '@.' || segment === '@..' ? segment.slice(1) : decodeURIComponent(segment);
}
