/**
 * Resources: remote facades release their objects when collected; a blocked caller and an idle
 * reactor thread use (almost) no CPU. Own processes, so the numbers are the process's alone.
 */
import { expect } from 'chai';
import { runScript } from '../helpers';

describe('reactor thread: resources', () => {
  it('a remote facade that is garbage-collected releases its object in the reactor thread', () => {
    const result = runScript(
      `
      const { reactorThread } = require(LIB);
      const echo = reactorThread
        .load(ECHO)
        .create('EchoService', [], { remote: { trackedCounter: true } });
      (async () => {
        let counter = echo.trackedCounter();
        counter.increment();
        counter = undefined;
        for (let i = 0; i < 10; i += 1) { gc(); await new Promise((r) => setTimeout(r, 10)); }
        console.log('collected', echo.collectedCounters());
      })();
    `,
      { args: ['--expose-gc'] },
    );
    expect(result.stderr).to.equal('');
    expect(result.stdout.trim()).to.equal('collected 1');
  });

  it('a caller blocked for 1 s uses under 20 ms of CPU; an idle reactor thread next to none', () => {
    const result = runScript(`
      const { reactorThread } = require(LIB);
      const echo = reactorThread.load(ECHO).create('EchoService', []);
      echo.add(1, 1);
      let before = process.cpuUsage();
      echo.sleep(1000);
      let used = process.cpuUsage(before);
      const blocked = (used.user + used.system) / 1000;
      before = process.cpuUsage();
      setTimeout(() => {
        used = process.cpuUsage(before);
        console.log(JSON.stringify({ blocked, idle: (used.user + used.system) / 1000 }));
      }, 1000);
    `);
    const { blocked, idle } = JSON.parse(result.stdout) as { blocked: number; idle: number };
    expect(blocked).to.be.lessThan(20);
    // Whole-process CPU over 1 s: a spinning thread would show about 1000 ms; what is left is
    // V8's own housekeeping after start-up (GC helpers), a few ms that vary from run to run.
    expect(idle).to.be.lessThan(20);
  });
});
