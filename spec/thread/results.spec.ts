/**
 * What results become on the caller's side: data by value (class instances included, as client
 * libraries return them), remote facades for what is declared `remote`, clear errors for what
 * can be neither; a module's functions hosted whole; services disposed in their thread.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReactorThread, RemoteFacade, TimeoutError, release, type Hosted } from '../../lib';
import { messages } from '../../lib/testing';
import type * as ClientModule from './fixtures/client-like';
import type * as TextFunctions from './fixtures/text-functions';
import { spawnSync } from 'node:child_process';
import { fixture, libPath, runScript } from './helpers';

describe('reactor thread: results', () => {
  let thread: ReactorThread;
  let client: Hosted<
    ClientModule.ClientLike,
    never,
    { connect: { timeoutMs: 500 }; maybeSession: true }
  >;
  const where = (method: string): string =>
    `ClientLike.${method}() in reactor thread 'spec-results'`;

  before(() => {
    thread = new ReactorThread({ name: 'spec-results' });
    client = thread.load<typeof ClientModule>(fixture('client-like')).create('ClientLike', [], {
      timeoutMs: 2_000,
      remote: { connect: { timeoutMs: 500 }, maybeSession: true },
    });
  });

  after(() => thread.stop());

  describe('by value', () => {
    it('a class instance with data crosses as its data, functions left out', () => {
      const result = client.query(3);
      expect(result).to.not.be.instanceOf(RemoteFacade);
      expect(result.rows).to.deep.equal([
        { n: 0, label: 'row 0' },
        { n: 1, label: 'row 1' },
        { n: 2, label: 'row 2' },
      ]);
      expect(result.rowCount).to.equal(3);
      expect(result.fields).to.deep.equal([{ name: 'n', dataTypeID: 23 }]);
      expect(result._parsers).to.deep.equal([undefined]);
      expect(result._types).to.deep.equal({});
      expect(Object.getPrototypeOf(result)).to.equal(Object.prototype);
    });

    it('cycles survive, as structured clone keeps them', () => {
      const node = client.cyclic();
      expect(node.name).to.equal('loop');
      expect(node.self).to.equal(node);
    });

    it('an object with private state only is refused, naming it and the declaration to use', () => {
      expect(() => client.secretive()).to.throw(
        TypeError,
        messages.threadResultNotData(
          where('secretive'),
          'secretive',
          'the result',
          'a Secretive with methods and no data of its own (its state is private)',
        ),
      );
    });

    it('a live object (a socket) inside a result is refused with its path', () => {
      expect(() => client.socket()).to.throw(
        TypeError,
        messages.threadResultNotData(
          where('socket'),
          'socket',
          'the result.socket',
          'an EventEmitter (a live object: a socket, stream, client or pool)',
        ),
      );
    });

    it('a promise inside a result is refused with its path', () => {
      expect(() => client.pending()).to.throw(
        TypeError,
        messages.threadResultNotData(
          where('pending'),
          'pending',
          'the result.later',
          'a Promise (await it in the method)',
        ),
      );
    });
  });

  it("hosts a class whose methods are named like Object.prototype's members", () => {
    // create() threw: "option timeouts.toString needs a timeout ... got [Function: toString]".
    const named = thread
      .load<typeof ClientModule>(fixture('client-like'))
      .create('Named', [], { timeoutMs: 2_000 });
    expect(named.toString()).to.equal('Named#1');
    expect(named.valueOf()).to.equal(42);
  });

  describe('Buffers', () => {
    it('come back as Buffers, alone or nested, shared ones shared, with only their own bytes', () => {
      const bytes = client.bytes();
      expect(Buffer.isBuffer(bytes.one)).to.equal(true);
      expect(bytes.one.toString()).to.equal('hello');
      // A small Buffer is a view of an 8 KB pool: only its 5 bytes crossed.
      expect(bytes.one.buffer.byteLength).to.equal(5);
      expect(bytes.list.map((b) => [Buffer.isBuffer(b), b.toString()])).to.deep.equal([
        [true, 'a'],
        [true, 'b'],
      ]);
      const inMap = bytes.map.get('k');
      expect(Buffer.isBuffer(inMap) && inMap.toString()).to.equal('in a map');
      expect(bytes.same[0]).to.equal(bytes.same[1]);
      expect(Buffer.isBuffer(bytes.same[0])).to.equal(true);
      // A Uint8Array is not made a Buffer.
      expect(Buffer.isBuffer(bytes.raw)).to.equal(false);
      expect([...bytes.raw]).to.deep.equal([1, 2, 3]);
    });

    it('arrive as Buffers when passed, alone or nested', () => {
      expect(
        client.describeBytes(
          Buffer.from('top'),
          { inner: Buffer.from('nested') },
          new Uint8Array([104, 105]),
        ),
      ).to.deep.equal(['Buffer top', 'Buffer nested', 'Uint8Array 104,105']);
    });

    it("a module's function returning a Buffer (fs.promises.readFile) gives a Buffer", () => {
      const fsp = thread.load<typeof import('node:fs/promises')>('node:fs/promises').functions({
        timeoutMs: 2_000,
      });
      const data = fsp.readFile(__filename);
      expect(Buffer.isBuffer(data)).to.equal(true);
      expect(data.toString()).to.equal(fs.readFileSync(__filename, 'utf8'));
    });
  });

  describe('deeply nested data and unreadable results', () => {
    const tooDeep = /nested more than 1000 levels deep .*flatten it/;

    it('data nested 1,000 levels deep crosses both ways', () => {
      const result = client.nested(999) as { v: unknown };
      let levels = 0;
      for (let at: unknown = result; (at as { v?: unknown }).v !== undefined; levels += 1) {
        at = (at as { v: unknown }).v;
      }
      expect(levels).to.equal(999);
      let arg: { v?: unknown } = { leaf: 1 } as { v?: unknown };
      for (let i = 0; i < 999; i += 1) arg = { v: arg };
      expect(client.levelsOf(arg)).to.equal(999);
    });

    it('deeper data is refused with a clear error, and the thread lives on (20,000 levels crashed it)', () => {
      for (const levels of [1_001, 5_000, 20_000]) {
        expect(() => client.nested(levels), `result of ${levels}`)
          .to.throw(TypeError, tooDeep)
          .with.property('message')
          .that.includes(`${where('nested')} returned a value that cannot cross`);
        let arg: { v?: unknown } = { leaf: 1 } as { v?: unknown };
        for (let i = 0; i < levels; i += 1) arg = { v: arg };
        expect(() => client.levelsOf(arg), `argument of ${levels}`)
          .to.throw(TypeError, tooDeep)
          .with.property('message')
          .that.includes('argument 1.v.v.v');
      }
      expect(client.query(1).rowCount).to.equal(1);
    });

    it('an error that cannot be read fails that call only, saying what reading it threw', () => {
      // Encoding it threw in the thread: the thread crashed (under hostServices(), the process).
      const caught = (kind: 'message' | 'prop' | 'proxy'): Error => {
        try {
          client.throwsUnreadable(kind);
        } catch (error) {
          return error as Error;
        }
        throw new Error(`${kind}: no error`);
      };
      expect(caught('message').message).to.equal('[reading it threw getter exploded: message]');
      expect(caught('prop')).to.include({
        message: 'base',
        code: '[reading it threw getter exploded: prop]',
      });
      expect(caught('proxy').message).to.match(/^crochet: the thrown error could not be read/);
      expect(client.query(1).rowCount).to.equal(1);
    });

    it("Node's live objects that are not EventEmitters everywhere are refused (a Timeout)", () => {
      // It crossed as its internal fields (_idlePrev, _idleNext...); a FileHandle did the same
      // on Node.js 20, where it is not an EventEmitter, and its file stayed open.
      expect(() => client.timer()).to.throw(
        TypeError,
        messages.threadResultNotData(
          where('timer'),
          'timer',
          'the result',
          'a Timeout (a timer: it runs in the reactor thread)',
        ),
      );
    });

    it('an argument whose getter throws is refused with what it threw as cause', () => {
      const unreadable = {};
      Object.defineProperty(unreadable, 'rows', {
        enumerable: true,
        get: () => {
          throw new Error('getter arg');
        },
      });
      expect(() => client.levelsOf(unreadable))
        .to.throw(
          TypeError,
          messages.threadUnreadableArg("ClientLike.levelsOf() (reactor thread 'spec-results')", 0),
        )
        .with.nested.property('cause.message', 'getter arg');
    });

    it('a result whose getter throws fails that call only, with the getter error as cause', () => {
      expect(() => client.unreadable())
        .to.throw(TypeError, messages.threadUncloneableResult(where('unreadable')))
        .with.nested.property('cause.message', 'rows are gone');
      expect(client.query(1).rowCount).to.equal(1);
    });
  });

  describe('declared remote', () => {
    it('gives a facade whose calls run on the object in the reactor thread', () => {
      const session = client.connect();
      expect(session).to.be.instanceOf(RemoteFacade);
      expect(session.query('BEGIN').command).to.equal('SELECT');
      session.query('COMMIT');
      expect(session.history()).to.deep.equal(['BEGIN', 'COMMIT']);
      session.release();
      expect(() => session.query('SELECT 1')).to.throw(Error, /session \d+ is closed/);
      release(session);
    });

    it('null and undefined pass through a remote declaration', () => {
      expect(client.maybeSession(false)).to.equal(null);
      const session = client.maybeSession(true);
      expect(session).to.be.instanceOf(RemoteFacade);
      expect(session?.history()).to.deep.equal([]);
    });

    it('a bad remote option is refused at create(), naming it', () => {
      const loaded = thread.load<typeof ClientModule>(fixture('client-like'));
      expect(() =>
        loaded.create('ClientLike', [], { remote: { connect: 5 as unknown as true } }),
      ).to.throw(TypeError, messages.threadBadRemote('ClientLike', 'connect', 5));
      expect(() =>
        loaded.create('ClientLike', [], { remote: { nope: true } as unknown as { connect: true } }),
      ).to.throw(TypeError, /option 'remote' names 'nope', which is not a method of ClientLike/);
    });
  });

  describe('functions()', () => {
    let text: Hosted<typeof TextFunctions, 'wait'>;
    before(() => {
      text = thread
        .load<typeof TextFunctions>(fixture('text-functions'))
        .functions({ timeoutMs: 1_000, eventual: ['wait'] });
    });

    it("hosts a module's exported functions as blocking functions in the reactor thread", () => {
      expect(text.shout('hello')).to.equal('HELLO!');
      expect(text.add(2, 3)).to.equal(5);
      expect(text.where()).to.not.equal(0);
      expect(text.wait(5).wait(1_000)).to.equal(5);
      expect(Object.keys(text).sort()).to.deep.equal(['add', 'shout', 'wait', 'where']);
    });

    it('the options apply: timeouts, and unknown names are refused', () => {
      const slow = thread
        .load<typeof TextFunctions>(fixture('text-functions'))
        .functions({ timeouts: { wait: 20 } });
      expect(() => slow.wait(2_000)).to.throw(TimeoutError);
      expect(() =>
        thread
          .load<typeof TextFunctions>(fixture('text-functions'))
          .functions({ eventual: ['nope' as never] }),
      ).to.throw(TypeError, /option 'eventual' names 'nope'/);
    });
  });
});

describe('reactor thread: disposing services at shutdown', () => {
  it('closes each service in its thread, newest first, reporting one that hangs by name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crochet-dispose-'));
    const record = path.join(dir, 'record.txt');
    const result = runScript(`
      const path = require('node:path');
      const { reactor, reactorThread, setup } = require(LIB);
      setup({ logger: { error: (message) => console.log('REPORT ' + message) } });
      const mod = reactorThread.load(path.join(FIXTURES, 'client-like.js'));
      const record = ${JSON.stringify(record)};
      const first = mod.create('PoolLike', [record, 'first'], { dispose: 'end' });
      mod.create('ClientLike', [record]);
      mod.create('PoolLike', [record, 'hangs', 60000], { dispose: 'end', disposeTimeoutMs: 200 });
      mod.create('PoolLike', [record, 'never'], { dispose: false });
      reactor.addShutdownHook('before', () => console.log('hook sees ' + first.ping()));
      reactor.stop().then(() => console.log('stopped'));
    `);
    const recorded = fs.existsSync(record) ? fs.readFileSync(record, 'utf8') : '';
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.stderr).to.equal('');
    expect(result.stdout).to.include('hook sees pong');
    const timedOut = messages.threadDisposeTimedOut('PoolLike', 200).replace(/\.$/, '');
    expect(result.stdout).to.include(`REPORT ${timedOut} (in reactor thread 'reactor').\n`);
    expect(result.stdout).to.include('stopped');
    expect(recorded.trim().split('\n')).to.deep.equal([`disposed ${record}`, 'end first']);
  });
});

describe('reactor thread: a stop that outlasts stopTimeoutMs', () => {
  it('terminates the thread and says so by name, even when a dispose limit is longer', () => {
    // A dispose allowed 10 s under a 300 ms stop: the thread was terminated at 300 ms and
    // nothing was reported.
    const result = runScript(`
      const path = require('node:path');
      const { ReactorThread, setup } = require(LIB);
      setup({ logger: { error: (message) => console.log('REPORT ' + message) } });
      const thread = new ReactorThread({ name: 'slow-stop', stopTimeoutMs: 300 });
      const record = path.join(require('node:os').tmpdir(), 'crochet-slow-stop-' + process.pid);
      thread.load(path.join(FIXTURES, 'client-like.js'))
        .create('PoolLike', [record, 'hangs', 60000], { dispose: 'end', disposeTimeoutMs: 10000 });
      const started = Date.now();
      thread.stop().then(() => console.log('stopped after ' + (Date.now() - started) + ' ms'));
    `);
    const run = `status ${String(result.status)}\n${result.stdout}\n${result.stderr}`;
    expect(result.stdout, run).to.include(
      `REPORT ${messages.threadStopTimedOut('slow-stop', 300)}`,
    );
    const stoppedMs = Number(/stopped after (\d+) ms/.exec(result.stdout)?.[1] ?? Number.NaN);
    expect(stoppedMs, run).to.be.below(5_000);
    expect(result.status, run).to.equal(0);
  });
});

describe('reactor thread: calls running at shutdown', () => {
  it('a call still running in the thread is stopped there: its signal aborts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crochet-stop-'));
    const record = path.join(dir, 'record.txt');
    const result = runScript(`
        const path = require('node:path');
        const { reactor, reactorThread, setup } = require(LIB);
        setup();
        const client = reactorThread
          .load(path.join(FIXTURES, 'client-like.js'))
          .create('ClientLike', [${JSON.stringify(record)}], { eventual: ['held'] });
        const held = client.held(10000);
        const started = performance.now();
        setTimeout(() => {
          reactor.stop().then(() => {
            let outcome;
            try { held.wait(1000); } catch (error) { outcome = error.name; }
            console.log('stopped after ' + Math.round(performance.now() - started) + ' ms: ' + outcome);
          });
        }, 200);
      `);
    const recorded = fs.existsSync(record) ? fs.readFileSync(record, 'utf8') : '';
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.stderr).to.equal('');
    expect(result.stdout).to.match(/stopped after \d+ ms: ReactorStopped/);
    // Then the thread goes on stopping: the service is disposed (a pending call once crashed it
    // here: its reply went to a connection its caller had already closed).
    expect(recorded).to.equal(`aborted ReactorStopped\ndisposed ${record}\n`);
  });
});

describe('reactor thread: package names', () => {
  it("load('name') finds a package where the application sees it, not where crochet lives", () => {
    const app = fs.mkdtempSync(path.join(os.tmpdir(), 'crochet-bare-'));
    try {
      const pkg = path.join(app, 'node_modules', 'only-in-app');
      fs.mkdirSync(pkg, { recursive: true });
      fs.writeFileSync(
        path.join(pkg, 'index.js'),
        'exports.shout = async (text) => text.toUpperCase() + "!";\n',
      );
      const result = runScript(
        `
        const { reactorThread } = require(LIB);
        process.chdir(${JSON.stringify(app)});
        const fns = reactorThread.load('only-in-app').functions({ timeoutMs: 5_000 });
        console.log(fns.shout('hello'));
      `,
      );
      expect(result.stderr).to.equal('');
      expect(result.stdout.trim()).to.equal('HELLO!');
      // An ES-module entry run from elsewhere: its own folder is where the name is found.
      fs.writeFileSync(
        path.join(app, 'main.mjs'),
        `import { createRequire } from 'node:module';\n` +
          `const { reactorThread } = createRequire(import.meta.url)(${JSON.stringify(libPath)});\n` +
          `const fns = reactorThread.load('only-in-app').functions({ timeoutMs: 5_000 });\n` +
          `console.log(fns.shout('from esm'));\n`,
      );
      const esm = spawnSync(process.execPath, [path.join(app, 'main.mjs')], {
        cwd: os.tmpdir(),
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(esm.stderr).to.equal('');
      expect(esm.stdout.trim()).to.equal('FROM ESM!');
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
  });
});
