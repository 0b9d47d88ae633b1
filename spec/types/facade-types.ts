// Compile-time tests for facade() and Blocking<T>: valid code compiles, and each
// `@ts-expect-error` line must be an error, or `npm run typecheck:types` fails.
import { facade, type Blocking, type EventualResult, type FacadeOf } from '../../lib';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

class Connection {
  async query(sql: string, limit?: number): Promise<string[]> {
    return [sql, String(limit)];
  }
}

class Database {
  async connect(): Promise<Connection> {
    return new Connection();
  }
  async find(id: number): Promise<Connection | undefined> {
    return id > 0 ? new Connection() : undefined;
  }
  async start(port: number): Promise<void> {
    void port;
  }
  count(): number {
    return 1;
  }
  readonly label: string = 'db';
}

const ConnectionFacade = facade(Connection, { timeoutMs: 100 });
class DatabaseFacade extends facade(Database, {
  timeoutMs: 100,
  eventual: ['start'],
  exclude: ['count'],
  wrap: { connect: ConnectionFacade, find: ConnectionFacade },
}) {}

const db = new DatabaseFacade(new Database());

// Promise results become plain values; facades wrap declared results; eventual methods return
// an EventualResult; excluded methods and non-method properties are gone.
const connection = db.connect();
assertType<Equal<typeof connection, InstanceType<typeof ConnectionFacade>>>();
assertType<Equal<ReturnType<typeof connection.query>, string[]>>();
assertType<Equal<ReturnType<typeof db.find>, InstanceType<typeof ConnectionFacade> | undefined>>();
assertType<Equal<ReturnType<typeof db.start>, EventualResult<void>>>();
assertType<Equal<Parameters<typeof connection.query>, Parameters<Connection['query']>>>();

// @ts-expect-error count was excluded
db.count();
// @ts-expect-error label is not a method
void db.label;
// @ts-expect-error wrong argument type
connection.query(42);
// @ts-expect-error the result is string[], not a Promise
void connection.query('x').then;
// @ts-expect-error the result is an EventualResult, not a number
const started: number = db.start(80);
void started;

// The constructor takes the service instance, nothing else.
// @ts-expect-error a Database facade needs a Database
new DatabaseFacade(new Connection());

// Options are checked against the service's methods.
// @ts-expect-error 'stop' is not a method of Database
facade(Database, { timeoutMs: 1, eventual: ['stop'] });
// @ts-expect-error 'label' is a property, not a method
facade(Database, { timeoutMs: 1, exclude: ['label'] });
// @ts-expect-error timeoutMs is required
facade(Database, { eventual: ['start'] });

// Blocking<T> on its own.
type Plain = Blocking<Database, 'start'>;
assertType<Equal<ReturnType<Plain['connect']>, Connection>>();
assertType<Equal<ReturnType<Plain['count']>, number>>();
assertType<Equal<ReturnType<Plain['start']>, EventualResult<void>>>();
assertType<Equal<keyof Plain, 'connect' | 'find' | 'start' | 'count'>>();
type Trimmed = FacadeOf<Database, never, object, 'count' | 'find'>;
assertType<Equal<keyof Trimmed, 'connect' | 'start'>>();

// A field holding a function is part of the blocking view, and the facade forwards it (found on
// the instance when the facade is constructed), so the type tells the truth.
class WithArrow {
  arrow = async (a: number): Promise<number> => a;
  later = async (): Promise<string> => 'later';
  readonly name: string = 'not a method';
}
const ArrowFacade = facade(WithArrow, { timeoutMs: 100, eventual: ['later'] });
const arrowed = new ArrowFacade(new WithArrow());
assertType<Equal<typeof arrowed.arrow, (a: number) => number>>();
assertType<Equal<ReturnType<typeof arrowed.later>, EventualResult<string>>>();
// @ts-expect-error a non-function field is not in the blocking view
void arrowed.name;
// @ts-expect-error the argument is a number
arrowed.arrow('1');

// A @runInReactor method declared with eventualBody() is typed as what its callers get,
// EventualResult<V>; listed as eventual, the facade's method holds V, never EventualResult<V>.
class Poller {
  poll(): EventualResult<number> {
    return undefined as unknown as EventualResult<number>;
  }
}
type PollerFacade = Blocking<Poller, 'poll'>;
assertType<Equal<ReturnType<PollerFacade['poll']>, EventualResult<number>>>();
