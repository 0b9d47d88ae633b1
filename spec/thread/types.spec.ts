/**
 * Compile-time checks of the typed facade (this file fails to build if a check fails), plus a
 * run-time smoke test so that mocha has something to report.
 */
import { expect } from 'chai';
import { ReactorThread, type Blocking, type EventualResult } from '../../lib';
import type { EchoService } from './fixtures/echo-service';
import type * as EchoModule from './fixtures/echo-service';
import { fixture } from './helpers';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_proof?: T): void => undefined;

function typeChecks(thread: ReactorThread): void {
  const loaded = thread.load<typeof EchoModule>(fixture('echo-service'));
  const echo = loaded.create('EchoService', ['x'], { timeoutMs: 10, eventual: ['sleep'] });
  assertType<Equal<typeof echo, Blocking<EchoService, 'sleep'>>>();
  const sum: number = echo.add(1, 2);
  const later: EventualResult<number> = echo.sleep(1);
  void sum;
  void later;
  // @ts-expect-error: a wrong argument type does not compile
  echo.add('1', 2);
  // @ts-expect-error: a blocking method's result is the value, not a promise
  void echo.greet('a').then;
  // @ts-expect-error: constructor arguments are checked against the class
  loaded.create('EchoService', [42]);
  // @ts-expect-error: only exported classes can be created
  loaded.create('NotExported', []);
  // @ts-expect-error: eventual names must be methods
  loaded.create('EchoService', [], { eventual: ['nope'] });
}

describe('reactor thread: facade types', () => {
  it('create() is typed Blocking<Service, Eventual> (checked at compile time)', () => {
    expect(typeChecks).to.be.a('function');
  });
});
