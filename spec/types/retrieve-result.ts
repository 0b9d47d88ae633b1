/**
 * retrieveResult(id): what was stashed under an id is the caller's statement, so it must be
 * stated as a type argument; it is never inferred from the variable the result goes to.
 */
import { reactor, retrieveResult, type EventualResult } from '../../lib/index';
import { expectType } from './helpers';

declare const id: number;

// Stated: fine, for the package function and the controller's method.
const stated: EventualResult<number> = retrieveResult<number>(id);
expectType<EventualResult<number>>()(retrieveResult<number>(id));
expectType<EventualResult<string>>()(reactor.retrieveResult<string>(id));
// Not stated: an EventualResult<unknown>, whose value must be checked before use.
const loose = retrieveResult(id);
expectType<EventualResult<unknown>>()(loose);
const value: unknown = loose.wait(100);

// @ts-expect-error -- not inferred from the declared type: state it, retrieveResult<number>(id)
const inferred: EventualResult<number> = retrieveResult(id);
// @ts-expect-error -- the same for the controller's method
const inferredToo: EventualResult<number> = reactor.retrieveResult(id);
// @ts-expect-error -- nor from a parameter it is passed to
takesNumbers(retrieveResult(id));

declare function takesNumbers(result: EventualResult<number>): void;
export { stated, value, inferred, inferredToo };
