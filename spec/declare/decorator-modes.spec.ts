/**
 * Legacy decorators (`experimentalDecorators`, this build): the behaviour shared with standard
 * decorators (spec/dual/behaviour.ts), run over the service compiled in this mode. Its twin,
 * spec/standard/decorator-modes.spec.ts, runs the same suites over the same source compiled
 * without `experimentalDecorators`.
 */
import { decoratorBehaviour } from '../dual/behaviour';

decoratorBehaviour('legacy');
