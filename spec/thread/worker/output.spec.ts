/**
 * Output of the reactor thread (console.log, process.stdout/stderr.write) during a blocking call
 * appears on the caller's side, in order, before the call returns.
 */
import { expect } from 'chai';
import { runScript } from '../helpers';

describe('reactor thread: output replay', () => {
  it('console.log and stdout writes appear in order before the call returns', () => {
    const result = runScript(`
      const { reactorThread } = require(LIB);
      const echo = reactorThread.load(ECHO).create('EchoService', []);
      console.log('before');
      const n = echo.talk(3);
      console.log('after', n);
    `);
    expect(result.stdout.split('\n').filter(Boolean)).to.deep.equal([
      'before',
      'line 0',
      'line 1',
      'line 2',
      'after 3',
    ]);
    expect(result.stderr.split('\n').filter(Boolean)).to.deep.equal(['err 0', 'err 1', 'err 2']);
  });

  it('output interleaves correctly with the caller when both write to one stream', () => {
    const result = runScript(`
      const { reactorThread } = require(LIB);
      const echo = reactorThread.load(ECHO).create('EchoService', []);
      for (let i = 0; i < 3; i += 1) { console.log('caller', i); echo.talk(1); }
    `);
    expect(result.stdout.split('\n').filter(Boolean)).to.deep.equal([
      'caller 0',
      'line 0',
      'caller 1',
      'line 0',
      'caller 2',
      'line 0',
    ]);
  });
});
