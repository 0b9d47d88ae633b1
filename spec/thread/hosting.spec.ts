/**
 * Reactor threads, in process: hosting, the typed facade, decorator metadata, values and errors,
 * timeouts and cancellation with a real abort, eventual results, remote object facades.
 */
import { expect } from 'chai';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  EventualResult,
  ReactorThread,
  attach,
  ReactorThreadError,
  RemoteFacade,
  TimeoutError,
  CancelledError,
  registerErrorClass,
  release,
  retrieveResult,
  type Blocking,
  type Hosted,
} from '../../lib';
import { messages } from '../../lib/testing';
import { CustomError, type Counter, type EchoService } from './fixtures/echo-service';
import type * as EchoModule from './fixtures/echo-service';
import { fixture } from './helpers';

describe('reactor thread: hosting and facades', () => {
  let thread: ReactorThread;
  let echo: Hosted<EchoService, 'sleep', { makeCounter: true; sharedCounter: true }>;

  before(() => {
    thread = new ReactorThread({ name: 'spec-hosting' });
    echo = thread
      .load<typeof EchoModule>(fixture('echo-service'))
      .create('EchoService', ['Hello, '], {
        timeoutMs: 2_000,
        eventual: ['sleep'],
        remote: { makeCounter: true, sharedCounter: true },
      });
  });

  after(() => thread.stop());

  describe('loading and creating', () => {
    it('lists the exported classes with their methods and decorator metadata', () => {
      const loaded = thread.load<typeof EchoModule>(fixture('echo-service'));
      const service = loaded.exports.find((e) => e.name === 'EchoService');
      expect(service?.methods.find((m) => m.name === 'decoratedSlow')).to.deep.equal({
        name: 'decoratedSlow',
        kind: 'waitFor',
        timeoutMs: 100,
      });
      const background = loaded.exports.find((e) => e.name === 'BackgroundService');
      expect(background?.methods.find((m) => m.name === 'background')?.kind).to.equal(
        'runInReactor',
      );
      expect(loaded.exports.map((e) => e.name)).to.include.members(['Counter', 'EchoService']);
    });

    it('constructs the service in the reactor thread with the given arguments', () => {
      expect(echo.greet('Ada')).to.equal('Hello, Ada');
      expect(echo).to.be.instanceOf(RemoteFacade);
      expect(echo.threadId()).to.not.equal(0);
    });

    it('a blocking method returns the awaited value', () => {
      expect(echo.add(2, 3)).to.equal(5);
    });

    it('an eventual method (option) returns an EventualResult', () => {
      const result = echo.sleep(10);
      expect(result).to.be.instanceOf(EventualResult);
      expect(result.wait(2_000)).to.equal(10);
      expect(result.wait(0)).to.equal(10);
    });

    it('a @runInReactor method must be listed as eventual, so that its type says so', () => {
      const loaded = thread.load<typeof EchoModule>(fixture('echo-service'));
      expect(() => loaded.create('BackgroundService', [])).to.throw(
        TypeError,
        messages.facadeEventualNotListed('BackgroundService', 'background'),
      );
      const service = loaded.create('BackgroundService', [], { eventual: ['background'] });
      const result: EventualResult<string> = service.background(5);
      expect(result).to.be.instanceOf(EventualResult);
      expect(result.wait(2_000)).to.equal('done after 5');
    });

    it('a stashed remote result can be retrieved by id', () => {
      const id = echo.sleep(1).stash();
      expect(retrieveResult(id).wait(2_000)).to.equal(1);
    });

    it('takes a file: URL (object or string) or a path relative to the working directory', () => {
      const file = fixture('echo-service');
      const asUrl = thread.load<typeof EchoModule>(pathToFileURL(file));
      expect(asUrl.create('EchoService', ['u ']).greet('url')).to.equal('u url');
      const asString = thread.load<typeof EchoModule>(pathToFileURL(file).href);
      expect(asString.create('EchoService', ['s ']).greet('href')).to.equal('s href');
      const relative = `./${path.relative(process.cwd(), file).split(path.sep).join('/')}`;
      expect(thread.load<typeof EchoModule>(relative).path).to.equal(file);
      expect(() => thread.load(42 as unknown as string)).to.throw(
        TypeError,
        messages.threadBadModule(42),
      );
    });

    it('an unknown export fails clearly, naming the classes that exist', () => {
      const loaded = thread.load<Record<string, new () => object>>(fixture('echo-service'));
      expect(() => loaded.create('Nope', [])).to.throw(
        ReactorThreadError,
        /no exported class 'Nope'.*EchoService/,
      );
    });
  });

  describe('values', () => {
    it('structured-clone values round-trip', () => {
      const value = { a: [1, 'two', null], when: new Date(0), map: new Map([[1, 2]]), big: 10n };
      expect(echo.echo(value)).to.deep.equal(value);
      expect(echo.echo(undefined)).to.equal(undefined);
    });

    it('a SharedArrayBuffer crosses as shared memory, also inside a class instance', () => {
      const shared = new SharedArrayBuffer(4);
      const back = echo.echo(shared) as SharedArrayBuffer;
      new Int32Array(back)[0] = 42;
      expect(new Int32Array(shared)[0]).to.equal(42);
      class Holder {
        constructor(readonly memory: SharedArrayBuffer) {}
        read(): number {
          return new Int32Array(this.memory)[0] ?? -1;
        }
      }
      const held = echo.echo(new Holder(shared)) as { memory: SharedArrayBuffer };
      new Int32Array(held.memory)[0] = 7;
      expect(new Int32Array(shared)[0]).to.equal(7);
    });

    it('an argument that cannot cross fails before sending, naming its position and part', () => {
      const what = "EchoService.echo() (reactor thread 'spec-hosting')";
      expect(() => echo.echo(() => 1)).to.throw(
        TypeError,
        messages.threadArgNotData(what, 'argument 1', 'a function'),
      );
      expect(() =>
        echo.echo({ parser: 'babel', plugins: [{ parse: function parse() {} }] }),
      ).to.throw(
        TypeError,
        messages.threadArgNotData(what, 'argument 1.plugins[0].parse', 'the function parse()'),
      );
      class Secret {
        #value = 7;
        reveal(): number {
          return this.#value;
        }
      }
      expect(() => echo.echo(new Secret())).to.throw(
        TypeError,
        messages.threadArgNotData(
          what,
          'argument 1',
          'a Secret with methods and no data of its own (its state is private)',
        ),
      );
      expect(() => echo.add(1, Symbol('x') as unknown as number)).to.throw(TypeError, /argument 2/);
      expect(echo.add(1, 1)).to.equal(2);
    });

    it('a class instance with data crosses as an argument as its data', () => {
      class Point {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
        norm(): number {
          return Math.hypot(this.x, this.y);
        }
      }
      expect(echo.echo(new Point(3, 4))).to.deep.equal({ x: 3, y: 4 });
    });

    it('a result that cannot cross by value fails with a clear TypeError naming where', () => {
      expect(() => echo.uncloneableResult()).to.throw(
        TypeError,
        messages.threadResultNotData(
          "EchoService.uncloneableResult() in reactor thread 'spec-hosting'",
          'uncloneableResult',
          'the result.tag',
          'Symbol(not cloneable)',
        ),
      );
    });

    it('a method declared remote gives a remote facade of an object that stays there', () => {
      const counter: Blocking<Counter> = echo.makeCounter();
      expect(counter).to.be.instanceOf(RemoteFacade);
      expect(counter.increment()).to.equal(1);
      expect(counter.increment(4)).to.equal(5);
      expect(counter.value()).to.equal(5);
    });

    it('the same hosted object returned twice is the same object there', () => {
      const a = echo.sharedCounter();
      const b = echo.sharedCounter();
      const start = a.value();
      b.increment();
      expect(a.value()).to.equal(start + 1);
    });

    it('release() frees the object now; the facade then refuses calls', () => {
      const counter = echo.makeCounter();
      counter.increment();
      release(counter);
      expect(() => counter.increment()).to.throw(ReactorThreadError, /already released/);
    });
  });

  describe('errors', () => {
    it('a built-in error comes back as the same class with the reactor-side and caller frames', () => {
      let caught: unknown;
      try {
        echo.fail('type');
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(TypeError);
      const error = caught as TypeError;
      expect(error.message).to.equal('bad type');
      expect(error.stack).to.match(/EchoService\.fail/);
      expect(error.stack).to.include('<reactor thread: the call was made from here>');
      expect(error.stack).to.include('hosting.spec');
    });

    it('own properties like code survive', () => {
      try {
        echo.fail('props');
        expect.fail('should throw');
      } catch (error) {
        expect(error).to.be.instanceOf(Error);
        expect(error).to.include({ code: 'E_PROPS', errno: 42, message: 'with props' });
      }
    });

    it('a registered class comes back as that class, with its cause rebuilt too', () => {
      registerErrorClass(CustomError);
      try {
        echo.fail('custom');
        expect.fail('should throw');
      } catch (error) {
        expect(error).to.be.instanceOf(CustomError);
        const custom = error as CustomError;
        expect(custom.name).to.equal('CustomError');
        expect(custom.code).to.equal('E_CUSTOM');
        expect(custom.cause).to.be.instanceOf(RangeError);
        expect((custom.cause as Error).message).to.equal('inner');
      }
    });

    it('non-Error throws come back as the same value', () => {
      expect(() => echo.fail('string'))
        .to.throw()
        .that.equals('a plain string');
      let caught: unknown = 'not thrown';
      try {
        echo.fail('undefined');
      } catch (error) {
        caught = error;
      }
      expect(caught).to.equal(undefined);
    });

    it('a constructor that throws throws at create(), same class', () => {
      registerErrorClass(CustomError);
      const loaded = thread.load<typeof EchoModule>(fixture('echo-service'));
      expect(() => loaded.create('ThrowingService', ['no way'])).to.throw(CustomError, 'no way');
    });
  });

  describe('timeouts and cancellation', () => {
    it('a @waitFor(ms) timeout throws TimeoutError and aborts currentSignal() in the thread', () => {
      const started = Date.now();
      expect(() => echo.decoratedSlow(5_000)).to.throw(TimeoutError, /within 100 ms/);
      expect(Date.now() - started).to.be.lessThan(1_000);
      expect(echo.lastAbortRecord()).to.deep.equal({ aborted: true, reason: 'TimeoutError' });
    });

    it('a facade timeout (option) aborts the work too', () => {
      const quick = thread
        .load<typeof EchoModule>(fixture('echo-service'))
        .create('EchoService', [], { timeouts: { abortable: 50 } });
      expect(() => quick.abortable(5_000)).to.throw(TimeoutError, /within 50 ms/);
      expect(quick.lastAbortRecord()).to.deep.equal({ aborted: true, reason: 'TimeoutError' });
    });

    it('a late reply after a timeout never confuses a later call', () => {
      const quick = thread
        .load<typeof EchoModule>(fixture('echo-service'))
        .create('EchoService', [], { timeouts: { sleep: 20 } });
      expect(() => quick.sleep(60)).to.throw(TimeoutError);
      // The first call's reply (60) arrives while this one waits; it must be dropped.
      expect(quick.greet('x')).to.equal('x');
      expect(quick.add(40, 2)).to.equal(42);
    });

    it('EventualResult.cancel() aborts the call in the reactor thread', () => {
      const eventual = thread
        .load<typeof EchoModule>(fixture('echo-service'))
        .create('EchoService', [], { eventual: ['abortable'] });
      const result = eventual.abortable(5_000);
      eventual.lastAbortRecord(); // make sure the call started
      result.cancel();
      expect(() => result.wait(2_000)).to.throw(CancelledError);
      expect(eventual.lastAbortRecord()).to.deep.equal({ aborted: true, reason: 'AbortError' });
    });

    it('EventualResult.wait() can time out and be retried without cancelling', () => {
      const result = echo.sleep(80);
      expect(() => result.wait(10)).to.throw(TimeoutError);
      expect(result.wait(2_000)).to.equal(80);
    });
  });
});

describe('attach()', () => {
  it('refuses what is not a whole handle made by handleOf(), quoting it', () => {
    // A forged or damaged handle failed deep inside the connection, with raw errors.
    const cases: unknown[] = [
      null,
      {},
      { $crochetHandle: 1 },
      { $crochetHandle: 1, ref: 1, className: 'X', plans: [], address: {} },
      {
        $crochetHandle: 1,
        ref: 1,
        className: 'X',
        plans: [],
        address: { id: 'x', name: 'x', state: new SharedArrayBuffer(4) },
      },
    ];
    for (const handle of cases) {
      expect(() => attach(handle as never), String(JSON.stringify(handle))).to.throw(
        TypeError,
        messages.threadBadHandle(handle),
      );
    }
  });
});

describe('reactor thread: facade options', () => {
  let thread: ReactorThread;
  before(() => {
    thread = new ReactorThread({ name: 'spec-options' });
  });
  after(() => thread.stop());

  it('an option naming a method that does not exist fails clearly at create()', () => {
    const loaded = thread.load<Record<string, new () => object>>(fixture('echo-service'));
    const methods = loaded.exports.find((e) => e.name === 'EchoService')?.methods ?? [];
    expect(() => loaded.create('EchoService', [], { eventual: ['nope' as never] })).to.throw(
      TypeError,
      messages.unknownMethodOption(
        'create("EchoService")',
        'EchoService',
        'eventual',
        'nope',
        methods.map((m) => m.name),
      ),
    );
    expect(() =>
      loaded.create('EchoService', [], { timeouts: { nope: 5 } as Record<string, number> }),
    ).to.throw(TypeError, /option 'timeouts' names 'nope'/);
  });

  it('a bad timeout fails clearly at create()', () => {
    const loaded = thread.load<typeof EchoModule>(fixture('echo-service'));
    expect(() => loaded.create('EchoService', [], { timeoutMs: -1 })).to.throw(
      RangeError,
      /timeoutMs/,
    );
  });
});
