/**
 * A private PostgreSQL server for a sample, a spec file or a benchmark: a fresh cluster in a
 * temporary folder, listening on 127.0.0.1 only, on a free port, with trust authentication; the
 * folder and the server go away with `stop()`, and at the latest when the process exits.
 *
 * ```ts
 * const server = await startPrivateServer();
 * const pool = new pg.Pool({ connectionString: server.connectionString });
 * // ...
 * await pool.end();
 * await server.stop();
 * ```
 *
 * - The server programs (`initdb`, `pg_ctl`, and the `postgres` they start) are looked up on
 *   PATH, then in /usr/lib/postgresql/<version>/bin (Debian's layout, newest version first).
 *   When they are missing, {@link PostgresNotInstalledError} says which and how to install them.
 * - PostgreSQL refuses to run as root: when this process is root, every server program runs as
 *   an unprivileged account (`nobody` by default) through `setpriv` (or `runuser`), and the
 *   temporary folder (data directory, Unix socket, log) is given to that account.
 * - Made for throw-away data: `fsync`, `synchronous_commit` and `full_page_writes` are off.
 * - Several processes may start servers at once: each has its own folder and a port the system
 *   picked as free (a start that loses the port to another process tries again with a new one).
 * - Cleanup: `stop()` is a fast shutdown (`pg_ctl stop -m fast`) and removes the folder. Servers
 *   still running when the process exits are stopped synchronously (immediate shutdown) from an
 *   `exit` handler; on SIGINT/SIGTERM/SIGHUP with no other listener, they are stopped and the
 *   signal then ends the process as it would have. A process killed outright (SIGKILL) cannot
 *   clean up: the next `startPrivateServer()` on the machine stops and removes servers whose
 *   owning process is gone.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The server programs found on this machine. */
export interface PostgresBinaries {
  /** The folder holding initdb, pg_ctl and postgres. */
  readonly binDir: string;
  readonly initdb: string;
  readonly pgCtl: string;
  /** The server, next to the file initdb resolves to (where initdb and pg_ctl look for it). */
  readonly postgres: string;
}

/** What {@link startPrivateServer} accepts; every option has a default. */
export interface PrivateServerOptions {
  /** The database role initdb creates (a superuser; no password, trust). Default `'crochet'`. */
  readonly user?: string;
  /** Where the temporary folder is made (default `os.tmpdir()`). */
  readonly baseDir?: string;
  /**
   * When this process is root: the unprivileged system account the server programs run as
   * (default `'nobody'`). Ignored otherwise.
   */
  readonly runAs?: string;
  /** How long initdb, and then the start, may each take, in ms (default 60 000). */
  readonly startTimeoutMs?: number;
  /** More server settings, passed as `-c name=value` (e.g. `{ max_connections: 20 }`). */
  readonly settings?: Readonly<Record<string, string | number>>;
}

/** A running private server. */
export interface PrivateServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The superuser role; no password needed. */
  readonly user: string;
  /** The database to connect to (`'postgres'`, made by initdb). */
  readonly database: string;
  /** `postgresql://user@127.0.0.1:port/database`, for `new pg.Pool({ connectionString })`. */
  readonly connectionString: string;
  /** The temporary folder: `data/` (the cluster), the Unix socket, `server.log`. */
  readonly dir: string;
  /** The process id of the postmaster. */
  readonly pid: number;
  /** The server's log so far (for failure messages). */
  log(): string;
  /**
   * Fast shutdown (`pg_ctl stop -m fast`: open sessions are ended), then the folder is removed.
   * Close your pools first: a pool whose idle connections the server ends emits `'error'`.
   * Idempotent; rejects only when the server could be neither stopped nor killed.
   */
  stop(): Promise<void>;
}

/** The server programs are not installed (or not where they are looked for). */
export class PostgresNotInstalledError extends Error {
  override name = 'PostgresNotInstalledError';
  constructor(
    /** The programs that were not found, e.g. `['initdb', 'pg_ctl']`. */
    readonly missing: readonly string[],
    /** Every folder that was searched, in order. */
    readonly searched: readonly string[],
  ) {
    super(
      `PostgreSQL server programs not found: ${missing.join(', ')} (searched ` +
        `${searched.length === 0 ? 'no folder' : searched.join(', ')}). Install them with ` +
        '`apt-get install postgresql` (Debian/Ubuntu: they go to ' +
        `${DEBIAN_ROOT}/<version>/bin, which is searched after PATH), or put the folder holding ` +
        'initdb, pg_ctl and postgres on PATH.',
    );
  }
}

const DEBIAN_ROOT = '/usr/lib/postgresql';
const DATABASE = 'postgres';
const SERVER_PROGRAMS = ['initdb', 'pg_ctl', 'postgres'] as const;
const FOLDER_PREFIX = 'crochet-pg-';
const OWNER_FILE = 'owner.pid';
/** A Unix socket path must fit in sun_path (108 bytes on Linux, with its NUL). */
const MAX_SOCKET_PATH = 107;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** /usr/lib/postgresql/<version>/bin folders, newest version first. */
function debianDirs(): string[] {
  let versions: string[];
  try {
    versions = fs.readdirSync(DEBIAN_ROOT);
  } catch {
    return [];
  }
  return versions
    .filter((version) => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => path.join(DEBIAN_ROOT, version, 'bin'))
    .filter((dir) => fs.existsSync(dir));
}

/** Where the server programs are looked for: PATH's folders, then Debian's, newest first. */
export function postgresSearchDirs(): string[] {
  const fromPath = (process.env['PATH'] ?? '').split(path.delimiter).filter((dir) => dir !== '');
  return [...new Set([...fromPath, ...debianDirs()])];
}

/**
 * The first folder (PATH, then Debian's) holding initdb and pg_ctl, with postgres next to the
 * file initdb resolves to (initdb and pg_ctl start the postgres of their own folder); `undefined`
 * when there is none ({@link startPrivateServer} throws {@link PostgresNotInstalledError} then).
 * `.ci/run` makes the same search in shell.
 */
export function findPostgresBinaries(
  dirs: readonly string[] = postgresSearchDirs(),
): PostgresBinaries | undefined {
  for (const dir of dirs) {
    const initdb = path.join(dir, 'initdb');
    const pgCtl = path.join(dir, 'pg_ctl');
    if (!isExecutable(initdb) || !isExecutable(pgCtl)) continue;
    const postgres = path.join(path.dirname(fs.realpathSync(initdb)), 'postgres');
    if (!isExecutable(postgres)) continue;
    return { binDir: dir, initdb, pgCtl, postgres };
  }
  return undefined;
}

/** Like {@link findPostgresBinaries}, but throws {@link PostgresNotInstalledError}. */
export function requirePostgresBinaries(
  dirs: readonly string[] = postgresSearchDirs(),
): PostgresBinaries {
  const found = findPostgresBinaries(dirs);
  if (found !== undefined) return found;
  const searched = [...dirs];
  const missing = SERVER_PROGRAMS.filter(
    (program) => !searched.some((dir) => isExecutable(path.join(dir, program))),
  );
  // Each one exists somewhere, but never all three together.
  const named = missing.length > 0 ? missing : ['initdb, pg_ctl and postgres in one folder'];
  throw new PostgresNotInstalledError(named, searched);
}

/** How the server programs are run: as they are, or as an unprivileged account when root. */
interface Runner {
  /** The command prefix, e.g. `['setpriv', '--reuid=65534', …, '--']`; empty when not root. */
  readonly prefix: readonly string[];
  /** Who must own the temporary folder; `undefined` when not root. */
  readonly owner: { readonly uid: number; readonly gid: number } | undefined;
}

function idOf(account: string, flag: '-u' | '-g'): number {
  const result = spawnSync('id', [flag, account], { encoding: 'utf8' });
  const id = Number(result.stdout.trim());
  if (result.status !== 0 || !Number.isInteger(id)) {
    throw new Error(
      `private PostgreSQL server: this process is root, and PostgreSQL refuses to run as root, ` +
        `but the account ${JSON.stringify(account)} to run it as does not exist ` +
        `(id ${flag} ${account}: ${result.stderr.trim() || `exit status ${String(result.status)}`}). ` +
        'Pass runAs: an unprivileged account of this machine.',
    );
  }
  return id;
}

function findProgram(name: string): string | undefined {
  const dirs = [...postgresSearchDirs(), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  return dirs.map((dir) => path.join(dir, name)).find(isExecutable);
}

function runnerFor(account: string): Runner {
  if (process.getuid?.() !== 0) return { prefix: [], owner: undefined };
  const uid = idOf(account, '-u');
  const gid = idOf(account, '-g');
  if (uid === 0) {
    throw new Error(
      `private PostgreSQL server: runAs ${JSON.stringify(account)} is root (uid 0); ` +
        'PostgreSQL refuses to run as root: name an unprivileged account.',
    );
  }
  // setpriv only switches ids and execs; runuser opens a PAM session first.
  const setpriv = findProgram('setpriv');
  if (setpriv !== undefined) {
    return {
      prefix: [setpriv, `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'],
      owner: { uid, gid },
    };
  }
  const runuser = findProgram('runuser');
  if (runuser !== undefined) return { prefix: [runuser, '-u', account, '--'], owner: { uid, gid } };
  throw new Error(
    'private PostgreSQL server: this process is root and PostgreSQL refuses to run as root, ' +
      'but neither runuser nor setpriv (util-linux) was found to run it as ' +
      `${JSON.stringify(account)}. Install util-linux (apt-get install util-linux), or run as ` +
      'an unprivileged user.',
  );
}

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  readonly timedOut: boolean;
}

/** Runs a command to its end (SIGKILLed after `timeoutMs`); never rejects but on spawn errors. */
function run(command: readonly string[], cwd: string, timeoutMs: number): Promise<Finished> {
  const [program, ...args] = command;
  if (program === undefined) throw new Error('run: empty command');
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    let output = '';
    let timedOut = false;
    const collect = (chunk: string): void => {
      output += chunk;
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, timedOut });
    });
  });
}

function describeFinished(command: readonly string[], finished: Finished): string {
  const end = finished.timedOut
    ? 'was killed after its time limit'
    : finished.signal !== null
      ? `was killed by ${finished.signal}`
      : `exited with status ${String(finished.code)}`;
  const shown = command.map((arg) => (/^[\w./=:,-]+$/.test(arg) ? arg : shellQuote(arg)));
  return `\`${shown.join(' ')}\` ${end}:\n${finished.output.trim()}`;
}

/** A port the system considers free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error(`unexpected address of a probe socket: ${String(address)}`));
      });
    });
  });
}

/** A value for pg_ctl's `-o`, which goes through /bin/sh: single-quoted. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The postmaster's pid from its pid file (first line), or undefined. */
function postmasterPid(dataDir: string): number | undefined {
  const pid = Number(readText(path.join(dataDir, 'postmaster.pid')).split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Whether process `pid` exists and is not a zombie (a postmaster is no child of ours: where
 * nothing reaps orphans, as under some container inits, it stays a zombie after it ended).
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // /proc/<pid>/stat: "pid (comm) state ...", comm may hold spaces and parentheses.
  const stat = readText(`/proc/${pid}/stat`);
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

function lastLines(text: string, count = 20): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/** What the exit and signal handlers need to stop a server synchronously. */
interface Tracked {
  readonly dir: string;
  readonly dataDir: string;
  readonly pgCtl: string;
  readonly runner: Runner;
}

const running = new Set<Tracked>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Immediate shutdown, SIGKILL if that fails, then the folder goes. Never throws. */
function stopNowSync(server: Tracked): void {
  const command = [
    ...server.runner.prefix,
    server.pgCtl,
    'stop',
    '-D',
    server.dataDir,
    '-m',
    'immediate',
    '-w',
    '-t',
    '5',
  ];
  const [program, ...args] = command;
  const pid = postmasterPid(server.dataDir);
  try {
    if (program !== undefined && pid !== undefined && isAlive(pid)) {
      spawnSync(program, args, { cwd: server.dir, stdio: 'ignore', timeout: 10_000 });
    }
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
  } catch {
    // best effort: the folder still goes
  }
  fs.rmSync(server.dir, { recursive: true, force: true });
}

function stopAllSync(): void {
  for (const server of running) stopNowSync(server);
  running.clear();
  removeProcessHandlers();
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener (crochet's setup(), the application) decides how the process ends; the
  // exit handler stops what is left then. Alone, do what the signal would have done.
  if (process.listenerCount(signal) > 1) return;
  stopAllSync();
  process.kill(process.pid, signal);
}

let handlersInstalled = false;

function installProcessHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', stopAllSync);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function removeProcessHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  process.off('exit', stopAllSync);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * Stops and removes servers left by processes that no longer exist (killed before they could
 * clean up): folders of ours under `baseDir` whose owner file names a dead process.
 */
function sweepAbandoned(baseDir: string, pgCtl: string, runner: Runner): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(baseDir).filter((entry) => entry.startsWith(FOLDER_PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = path.join(baseDir, entry);
    const owner = Number(readText(path.join(dir, OWNER_FILE)).trim());
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid || isAlive(owner)) continue;
    stopNowSync({ dir, dataDir: path.join(dir, 'data'), pgCtl, runner });
  }
}

/**
 * Starts a private PostgreSQL server (see the module's comment) and resolves when it accepts
 * connections. Rejects with {@link PostgresNotInstalledError} when the programs are missing, and
 * with an Error quoting the failing command's output or the server's log otherwise; nothing is
 * left behind then.
 */
export async function startPrivateServer(
  options: PrivateServerOptions = {},
): Promise<PrivateServer> {
  const binaries = requirePostgresBinaries();
  const user = options.user ?? 'crochet';
  if (!/^[a-z_][a-z0-9_]*$/.test(user)) {
    throw new RangeError(
      `private PostgreSQL server: user ${JSON.stringify(user)} must be a plain lower-case identifier`,
    );
  }
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const baseDir = options.baseDir ?? os.tmpdir();
  const runner = runnerFor(options.runAs ?? 'nobody');
  sweepAbandoned(baseDir, binaries.pgCtl, runner);

  const dir = fs.mkdtempSync(path.join(baseDir, FOLDER_PREFIX));
  fs.writeFileSync(path.join(dir, OWNER_FILE), `${process.pid}\n`);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const tracked: Tracked = { dir, dataDir, pgCtl: binaries.pgCtl, runner };
  // Tracked from now on: a process that exits while initdb or the start runs cleans up too.
  running.add(tracked);
  installProcessHandlers();
  try {
    if (path.join(dir, '.s.PGSQL.65535').length > MAX_SOCKET_PATH) {
      throw new Error(
        `private PostgreSQL server: the folder ${dir} is too long a path for the server's Unix ` +
          `socket (at most ${MAX_SOCKET_PATH - '/.s.PGSQL.65535'.length} characters): pass a ` +
          'shorter baseDir.',
      );
    }
    if (runner.owner !== undefined) fs.chownSync(dir, runner.owner.uid, runner.owner.gid);
    fs.chmodSync(dir, 0o700);

    const initdb = [
      ...runner.prefix,
      binaries.initdb,
      '-D',
      dataDir,
      '-A',
      'trust',
      '-U',
      user,
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ];
    const initialised = await run(initdb, dir, timeoutMs);
    if (initialised.code !== 0) {
      throw new Error(
        `private PostgreSQL server: initdb failed: ${describeFinished(initdb, initialised)}`,
      );
    }

    const settings: Record<string, string | number> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: dir,
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      ...options.settings,
    };
    // pg_ctl passes -o to the postmaster through /bin/sh: each value single-quoted.
    const serverOptions = (port: number): string =>
      [
        `-p ${port}`,
        ...Object.entries(settings).map(
          ([name, value]) => `-c ${shellQuote(`${name}=${String(value)}`)}`,
        ),
      ].join(' ');

    // A port can be taken by another process between the probe and the server's bind.
    const attempts = 5;
    for (let attempt = 1; ; attempt += 1) {
      const port = await freePort();
      const start = [
        ...runner.prefix,
        binaries.pgCtl,
        'start',
        '-D',
        dataDir,
        '-l',
        logFile,
        '-w',
        '-t',
        String(Math.max(1, Math.ceil(timeoutMs / 1000))),
        '-o',
        serverOptions(port),
      ];
      const started = await run(start, dir, timeoutMs + 5_000);
      const pid = postmasterPid(dataDir);
      if (started.code === 0 && pid !== undefined) {
        return serverAt(tracked, { port, user, pid, logFile });
      }
      const log = readText(logFile);
      const portTaken = /could not bind|Address already in use/.test(log);
      if (!portTaken || attempt === attempts) {
        throw new Error(
          `private PostgreSQL server: the server did not start on 127.0.0.1:${port} ` +
            `(attempt ${attempt} of ${attempts}): ${describeFinished(start, started)}\n` +
            `--- ${logFile} (last lines)\n${lastLines(log)}`,
        );
      }
      // The log of the failed attempt stays in the file, before the next attempt's.
    }
  } catch (error) {
    stopNowSync(tracked);
    running.delete(tracked);
    if (running.size === 0) removeProcessHandlers();
    throw error;
  }
}

function serverAt(
  tracked: Tracked,
  found: { port: number; user: string; pid: number; logFile: string },
): PrivateServer {
  const { port, user, pid, logFile } = found;
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    const command = [
      ...tracked.runner.prefix,
      tracked.pgCtl,
      'stop',
      '-D',
      tracked.dataDir,
      '-m',
      'fast',
      '-w',
      '-t',
      '30',
    ];
    const finished = await run(command, tracked.dir, 40_000);
    let problem: string | undefined;
    if (finished.code !== 0 && isAlive(pid)) {
      problem = describeFinished(command, finished);
    }
    // Whatever pg_ctl said: nothing stays running, the folder goes.
    stopNowSync(tracked);
    running.delete(tracked);
    if (running.size === 0) removeProcessHandlers();
    if (isAlive(pid)) {
      throw new Error(
        `private PostgreSQL server on port ${port}: postmaster ${pid} is still running after ` +
          `a fast stop, an immediate stop and SIGKILL${problem === undefined ? '' : `; ${problem}`}`,
      );
    }
  };
  return {
    host: '127.0.0.1',
    port,
    user,
    database: DATABASE,
    connectionString: `postgresql://${user}@127.0.0.1:${port}/${DATABASE}`,
    dir: tracked.dir,
    pid,
    log: () => readText(logFile),
    stop: () => (stopping ??= stop()),
  };
}
