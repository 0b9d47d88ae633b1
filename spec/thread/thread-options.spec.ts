/**
 * `new ReactorThread(options)` checks its options when it is built: each bad value gets an error
 * naming the option and quoting the value (before: most were accepted, and failed at the first
 * load() or never: `spinMicros.caller: -5`, `startTimeoutMs: '10s'`, an unknown key).
 */
import { expect } from 'chai';
import { ReactorThread, type ReactorThreadOptions } from '../../lib';
import { messages } from '../../lib/testing';
import { THREAD_OPTIONS } from '../../lib/thread/thread-options';

const SUBJECT = 'new ReactorThread()';
const build = (options: unknown) => (): ReactorThread =>
  new ReactorThread(options as ReactorThreadOptions);

describe('new ReactorThread(options)', () => {
  it('accepts good options without starting anything', () => {
    const thread = new ReactorThread({
      name: 'checked',
      execArgv: [],
      startTimeoutMs: 5_000,
      stopTimeoutMs: 0,
      spinMicros: { caller: 0, host: 1_000_000 },
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    expect(thread.name).to.equal('checked');
    expect(thread.state).to.equal('idle');
  });

  const spin = 'a finite number of microseconds from 0 to 1000000';
  const cases: [string, unknown, ErrorConstructor, string][] = [
    ['null', null, TypeError, messages.badOption(SUBJECT, 'options', 'an object', null)],
    [
      'an unknown key',
      { spinMicro: 5 },
      TypeError,
      messages.unknownOption(SUBJECT, 'spinMicro', THREAD_OPTIONS),
    ],
    [
      'a numeric name',
      { name: 42 },
      TypeError,
      messages.badOption(SUBJECT, 'name', 'a non-empty string', 42),
    ],
    [
      'execArgv as a string',
      { execArgv: '--inspect' },
      TypeError,
      messages.badOption(SUBJECT, 'execArgv', 'an array of strings', '--inspect'),
    ],
    [
      'a negative start timeout',
      { startTimeoutMs: -1 },
      RangeError,
      messages.badTimeout(-1, `${SUBJECT} option startTimeoutMs`),
    ],
    [
      'a start timeout as text',
      { startTimeoutMs: '10s' },
      TypeError,
      messages.badTimeout('10s', `${SUBJECT} option startTimeoutMs`),
    ],
    [
      'a negative caller spin',
      { spinMicros: { caller: -5 } },
      RangeError,
      messages.badOption(SUBJECT, 'spinMicros.caller', spin, -5),
    ],
    [
      'a host spin of 1e12 µs',
      { spinMicros: { host: 1e12 } },
      RangeError,
      messages.badOption(SUBJECT, 'spinMicros.host', spin, 1e12),
    ],
    [
      'spinMicros as a number',
      { spinMicros: 5 },
      TypeError,
      messages.badOption(SUBJECT, 'spinMicros', 'an object with caller, host', 5),
    ],
    [
      'a negative memory limit',
      { resourceLimits: { maxOldGenerationSizeMb: -1 } },
      RangeError,
      messages.badOption(
        SUBJECT,
        'resourceLimits.maxOldGenerationSizeMb',
        'a finite number of megabytes > 0',
        -1,
      ),
    ],
  ];
  for (const [what, options, type, message] of cases) {
    it(`refuses ${what}, naming the option and quoting the value`, () => {
      expect(build(options)).to.throw(type, message);
    });
  }
});
