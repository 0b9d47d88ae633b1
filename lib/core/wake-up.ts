/**
 * The pump's wake-up timers: real timers (clock.ts) that end a blocked `uv_run` at a deadline,
 * each in a timer list of its own, counted so that they never pass for the loop's own work.
 *
 * Context: the loop's own thread.
 */
import { clearRealTimeout, setRealTimeout } from './clock';

/**
 * Wake-ups armed right now, in every nested wait on this thread. They are ref'd, so that libuv
 * too sees the loop alive while we wait and `uv_run` sleeps until them: Node's liveness list
 * (`getActiveResourcesInfo()`) counts handles that are ref'd but idle (a stdout pipe nobody
 * writes to), which libuv does not, and with an unref'd wake-up `uv_run` then returned at once,
 * over and over, spinning a core to the deadline and never reading a signal. `hasLiveWork`
 * subtracts them, so a wait that only they keep alive is still found dead.
 */
let armedWakeUps = 0;

/** How many wake-ups are armed now (they do not count as the loop's own work). */
export function armedWakeUpCount(): number {
  return armedWakeUps;
}

/** The parts of a Node.js Timeout and of its timer list that {@link WakeUp} looks at. */
interface TimerLinks {
  readonly _idleStart?: unknown;
  readonly _idlePrev?: unknown;
  readonly _idleNext?: { readonly expiry?: unknown };
}

/** Longest a wake-up may be moved to find a duration of its own (ms). */
const MAX_WAKE_UP_SHIFT = 8;

/**
 * A timer that only records that it fired: its job is to end a blocked `uv_run`.
 *
 * Node keeps one timer list per whole-millisecond duration and arms its single libuv timer only
 * when a *new* list is due before every other; while it runs a list's callbacks it arms nothing
 * until they return. A blocking call inside a timer callback therefore needs a wake-up in a list
 * of its own: a 1 ms wake-up inside a 1 ms (or `setTimeout(fn, 0)`) callback would join the list
 * being run, the libuv timer would stay unarmed, and the wait would spin to its timeout while the
 * body's own timers never fire. So a wake-up that lands in a list that is not its own alone and
 * fresh (the list's links, read defensively: unknown layouts are taken as fine) moves to the next
 * millisecond, at most MAX_WAKE_UP_SHIFT times. Outside timer callbacks a shared list is
 * harmless, and rare: it takes another timer of the same duration.
 */
export class WakeUp {
  fired = false;
  /**
   * Whether it found a list of its own, and so is sure to end a blocked `uv_run` on time. False
   * only when every duration it tried had a list already (or inside a callback of that list).
   */
  readonly ownList: boolean;
  private readonly timer: NodeJS.Timeout;
  constructor(ms: number) {
    const onFire = (): void => {
      this.fired = true;
      armedWakeUps -= 1;
    };
    const first = Math.max(1, Math.ceil(ms));
    let timer = setRealTimeout(onFire, first);
    let own = inListOfItsOwn(timer);
    for (let shift = 1; shift <= MAX_WAKE_UP_SHIFT && !own; shift += 1) {
      clearRealTimeout(timer);
      timer = setRealTimeout(onFire, first + shift);
      own = inListOfItsOwn(timer);
    }
    armedWakeUps += 1;
    this.timer = timer;
    this.ownList = own;
  }
  cancel(): void {
    if (this.fired) return;
    this.fired = true;
    armedWakeUps -= 1;
    clearRealTimeout(this.timer);
  }
}

/** Whether `timer` is alone in a list created for it (and so armed Node's libuv timer). */
function inListOfItsOwn(timer: NodeJS.Timeout): boolean {
  const links = timer as unknown as TimerLinks;
  const list = links._idleNext;
  if (typeof list !== 'object' || list === null || typeof links._idleStart !== 'number')
    return true;
  if (links._idlePrev !== list) return false;
  // A list being run has come due (expiry <= now); a fresh one is due after the timer started.
  return typeof list.expiry !== 'number' || list.expiry > links._idleStart;
}
