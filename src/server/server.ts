// `xorlab serve`: one node:http server for the dashboard, its JSON API and live events, and the playground's static
// files. Read-only on the store it is given. Routes:
//   /                       the dashboard (index.html)
//   /studies/<name>         a study's page (study.html; the page reads the name from its URL; the name is
//                           encoded by studySegment: %-escapes, and "@.", "@.." for the names ".", "..")
//   /<page>                 <page>.html from the bundle when it exists (the playground: /playground)
//   /api/...                the JSON API (./api.ts)
//   /<file>.<ext>           a file of the bundle folder (./static.ts)
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Store } from '../store/types.js';
import { createApi } from './api.js';
import type { Duplex } from 'node:stream';
import {
  clientErrorAnswer,
  HttpError,
  hostAllowed,
  requestUrl,
  securityHeaders,
  sendError,
  withoutLocation,
} from './http.js';
import { studyFromSegment } from '../text/study-url.js';
import { XorlabError } from '../text/errors.js';
import { DEFAULT_POLL_MS, LiveStudies } from './live-studies.js';
import { bundleRoot, resolveStatic, safeSegments } from './static.js';
import { MissingPackageError } from '../text/packages.js';

/** dist/web/ of this package, from src/server/ (tsx) as from dist/server/ (built). */
const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));

interface ServeOptions {
  store: Store;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 5173; 0 picks a free one). */
  port?: number;
  /** The bundle folder (default dist/web/). */
  webRoot?: string;
  /** How often the store is polled for changes while a page listens (ms). */
  pollMs?: number;
  /** The least time between two rebuilds of a watched study's view, its fitted minima (ms; default 1,000). */
  refitMs?: number;
  /** Called with errors that no request can report (a failed poll); by default they are ignored. */
  onError?: (error: unknown) => void;
  /** Live event streams open at once (default DEFAULT_MAX_STREAMS); one more is answered 503. */
  maxStreams?: number;
  /** A live stream whose client has not read its buffer for this long is closed (ms). */
  stallMs?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** A server that cannot start (port in use, no bundle): one line for the CLI. */
export class ServeError extends XorlabError {}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 5173;
  const folder = options.webRoot ?? DEFAULT_WEB_ROOT;
  const root = bundleRoot(folder);
  if (root === null)
    throw new ServeError(`no browser bundle at ${folder}; run npm run build (or npm run build:web) first`);

  let port = requestedPort;
  const live = new LiveStudies(options.store, {
    pollMs: options.pollMs ?? DEFAULT_POLL_MS,
    refitMs: options.refitMs,
    onError: options.onError,
    maxStreams: options.maxStreams,
    stallMs: options.stallMs,
  });
  const api = createApi(options.store, live);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Nothing of where the database is goes to a remote client (the CLI, the user's own, says it).
      const location = options.store.location;
      if (error instanceof HttpError) sendError(res, error.status, withoutLocation(error.message, location));
      // A chart download without the optional chart packages: the message names the command that installs them.
      else if (error instanceof MissingPackageError) sendError(res, 501, error.message);
      else
        sendError(
          res,
          500,
          withoutLocation(`internal error: ${error instanceof Error ? error.message : String(error)}`, location),
        );
    });
  });
  // Node's own 400 and 431 (a request it cannot parse, headers too large) get a JSON body like every other error.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.writable && !(socket as Duplex & { _httpMessage?: unknown })._httpMessage)
      socket.end(clientErrorAnswer(error.code));
    else socket.destroy();
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host, host, port)) {
      throw new HttpError(
        403,
        `this server answers only to localhost and ${host}:${port}; Host "${req.headers.host ?? ''}" was refused`,
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      throw new HttpError(405, `method ${req.method ?? '?'} not allowed; this server only reads (GET, HEAD)`);
    }
    const url = requestUrl(req); // a target that is not a path is a 400 here
    // The raw path, before any normalisation: "/../" must be refused, not quietly resolved to "/".
    const rawPath = (req.url ?? '/').split('?')[0];
    if (rawPath.startsWith('/api/') || rawPath.startsWith('/studies/')) {
      // A study's name is data, not a file name: any text, %-encoded as one segment.
      const named = nameSegments(rawPath);
      if (named[0] === 'api') return api(req, res, url, named);
      if (named.length === 2) return sendFile(req, res, '/study.html');
      throw new HttpError(404, 'not found');
    }
    const segments = rawPath === '/' ? [] : safeSegments(rawPath);
    if (segments === null) throw new HttpError(404, 'not found');
    if (segments.length === 0) return sendFile(req, res, '/index.html');
    if (segments.length === 1 && !segments[0].includes('.')) {
      if (resolveStatic(root, `/${segments[0]}.html`)) return sendFile(req, res, `/${segments[0]}.html`);
      throw new HttpError(404, `no page /${segments[0]}`);
    }
    return sendFile(req, res, rawPath);
  };

  const sendFile = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const file = resolveStatic(root, path);
    if (!file) throw new HttpError(404, 'not found');
    res.writeHead(200, {
      ...securityHeaders(),
      'Content-Type': file.type,
      'Content-Length': String(file.size),
      // The bundle changes with every build; the browser asks again each time (cheap on localhost).
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file.path)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE')
        reject(
          new ServeError(`port ${requestedPort} on ${host} is in use; pass --port <n> (or --port 0 for any free port)`),
        );
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
        reject(
          new ServeError(
            `cannot bind ${host}: not an address of this machine; pass --host 127.0.0.1 or another local address`,
          ),
        );
      else if (error.code === 'EACCES')
        reject(new ServeError(`port ${requestedPort} on ${host} needs privileges; pass --port 1024 or above`));
      else reject(new ServeError(`cannot listen on ${host}:${requestedPort} (${error.message})`));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(requestedPort, host);
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : requestedPort;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const connections = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });

  return {
    url: `http://${shownHost}:${port}/`,
    host,
    port,
    server,
    async close() {
      await live.close();
      // Keep-alive connections never end by themselves: cut every connection so that close() returns.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of connections) socket.destroy();
      });
    },
  };
}

/** The segments of a path under /api/ or /studies/, each %-decoded as studySegment encodes names (a malformed
 * escape is a 400). */
function nameSegments(rawPath: string): string[] {
  return rawPath
    .slice(1)
    .split('/')
    .map((part) => {
      try {
        return studyFromSegment(part);
      } catch {
        throw new HttpError(400, `malformed %-escape in ${rawPath}`);
      }
    });
}
