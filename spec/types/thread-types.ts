/**
 * Types of reactorThread.load(): with the module's type, create() checks export names and
 * arguments and gives Blocking<Service> (spec/thread/types.spec.ts checks that in full); without
 * one, the module is an UntypedModule: any export name and arguments, results `unknown`.
 */
import {
  reactorThread,
  type Blocking,
  type EventualResult,
  type HostedModule,
  type UntypedModule,
  type UntypedService,
} from '../../lib/index';
import { assert, expectType, type Equal } from './helpers';

interface RatesService {
  latest(pair: string): Promise<number>;
}
interface RatesModule {
  RatesService: new (url: string) => RatesService;
  version: string;
}

export function typedAndUntyped(): void {
  // Without a type argument: usable, and honest about what it cannot know.
  const loose = reactorThread.load('./rates-service.js');
  assert<Equal<typeof loose, HostedModule<UntypedModule>>>();
  const anyService = loose.create('RatesService', ['http://127.0.0.1:8080', { retries: 2 }]);
  assert<Equal<typeof anyService, Blocking<UntypedService>>>();
  // Methods of any name; what they return is unknown until checked (with
  // noUncheckedIndexedAccess, as in this project, a method may be missing too).
  const latest = anyService.latest;
  expectType<((...args: unknown[]) => unknown) | undefined>()(latest);
  const value: unknown = anyService.latest?.('EURUSD');
  void value;
  loose.create('AnyExport', []);
  // @ts-expect-error -- the result is unknown, not a number
  const rate: number = anyService.latest?.('EURUSD');
  void rate;
  // @ts-expect-error -- the arguments are still a list
  loose.create('RatesService', 'http://127.0.0.1:8080');
  // @ts-expect-error -- and the export name a string
  loose.create(42, []);

  // With the module's type: export names, arguments and results are checked.
  const typed = reactorThread.load<RatesModule>('./rates-service.js');
  const rates = typed.create('RatesService', ['http://127.0.0.1:8080']);
  expectType<number>()(rates.latest('EURUSD'));
  // @ts-expect-error -- 'version' is not a class
  typed.create('version', []);
  // @ts-expect-error -- the constructor takes a string
  typed.create('RatesService', [42]);
}

interface Row {
  n: number;
}
interface Session {
  query(sql: string): Promise<{ rows: Row[] }>;
  release(): void;
}
interface PoolService {
  describe(): Promise<string>;
  query(sql: string): Promise<{ rows: Row[] }>;
  connect(): Promise<Session>;
  maybe(): Promise<Session | undefined>;
  end(): Promise<void>;
  version: string;
}
interface PoolModule {
  PoolService: new (url: string) => PoolService;
  format(source: string, options?: { semi?: boolean }): Promise<string>;
  parseSync(source: string): number;
  Helper: new () => object;
  VERSION: string;
}

export function remoteResultsAndFunctions(): void {
  const loaded = reactorThread.load<PoolModule>('./pool.js');
  const pool = loaded.create('PoolService', ['postgres://'], {
    timeoutMs: 1_000,
    remote: { connect: { timeoutMs: 500, eventual: ['query'] }, maybe: true },
    dispose: 'end',
  });
  // By value unless declared: the data type itself.
  expectType<{ rows: Row[] }>()(pool.query('SELECT 1'));
  // Declared remote with options: a facade of Session, its eventual methods typed so.
  const session = pool.connect();
  expectType<EventualResult<{ rows: Row[] }>>()(session.query('BEGIN'));
  expectType<void>()(session.release());
  // `true`, and null/undefined pass through.
  const maybe = pool.maybe();
  expectType<Blocking<Session> | undefined>()(maybe);
  // @ts-expect-error -- dispose names a method of the service
  loaded.create('PoolService', ['x'], { dispose: 'close' });
  // @ts-expect-error -- remote names a method of the service
  loaded.create('PoolService', ['x'], { remote: { nope: true } });
  // @ts-expect-error -- ... whose result is an object: a string cannot be called remotely
  loaded.create('PoolService', ['x'], { remote: { describe: true } });

  // functions(): the exported functions only, classes and constants left out.
  const fns = loaded.functions({ timeoutMs: 5_000 });
  expectType<string>()(fns.format('a', { semi: false }));
  expectType<number>()(fns.parseSync('a'));
  // @ts-expect-error -- a class is not hosted as a function
  void fns.Helper;
  // @ts-expect-error -- nor a constant
  void fns.VERSION;
}
