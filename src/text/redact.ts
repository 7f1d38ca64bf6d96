// Passwords never leave xorlab in what it prints or stores: the one helper that every message, progress line,
// resume command, report and stored text goes through. A password shows as ***.
//
// Two nets: (1) the password part of any URL's user info (`scheme://user:PASSWORD@host`) and `password=...` in a
// URL's query; (2) every secret registered by the code that connected with it (registerSecret), in its plain and
// URL-encoded forms, wherever it appears (a driver's message that quotes it, a URL written in another form).

export const MASK = '***';

const secrets = new Set<string>();

/** Secrets shorter than this are not masked as free text (a password "ab" would turn every "ab" in the output into
 * ***); URLs still lose them through their structure. */
const MIN_SECRET_LENGTH = 4;

/** Masks `secret` in everything redact() sees from now on (in this process). */
export function registerSecret(secret: string | undefined | null): void {
  if (!secret || secret.length < MIN_SECRET_LENGTH) return;
  secrets.add(secret);
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) secrets.add(encoded);
}

// scheme://  then user info up to the LAST @ before the host (a raw @ in a password is common), within one token.
const URL_TOKEN = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'`<>]*)/gi;

function redactToken(scheme: string, rest: string): string {
  // The user info ends at the last '@' of the token: a password typed raw may hold '@', '/', '?' or '#'. An '@'
  // later in the query only makes the mask longer than needed, never shorter.
  let out = rest;
  const at = rest.lastIndexOf('@');
  if (at > 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) out = `${userinfo.slice(0, colon + 1)}${MASK}${rest.slice(at)}`;
  }
  // pg and mongodb also read credentials from the query string.
  out = out.replace(/([?&](?:password|pass|pwd|sslpassword|authMechanismProperties)=)[^&#\s]*/gi, `$1${MASK}`);
  return `${scheme}${out}`;
}

// user:password@host without a scheme (a mistyped URL such as postgres:/user:pw@host/db is still credentials).
const BARE_USERINFO = /(^|[\s/'"=(])([^\s:/@'"()]+):(?!\*\*\*@)(?!\/)([^\s'"]+)@(?=[A-Za-z0-9[])/g;

/** `text` with every password in it replaced by ***. */
export function redact(text: string): string {
  let out = text.replace(URL_TOKEN, (_, scheme: string, rest: string) => redactToken(scheme, rest));
  out = out.replace(BARE_USERINFO, (_, before: string, user: string) => `${before}${user}:${MASK}@`);
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/** Whether a store location is a URL with a password in it (then a command line printed for the user to rerun
 * cannot carry it: they put it back, or use PGPASSWORD / ~/.pgpass / XORLAB_DB). */
export function hasPassword(url: string): boolean {
  return redact(url) !== url;
}
