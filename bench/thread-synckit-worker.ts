/** The synckit side of bench/thread-call-cost.ts: the same trivial async body, and an echo. */
import { runAsWorker } from 'synckit';

runAsWorker(async (op: string, a: unknown, b: unknown): Promise<unknown> => {
  if (op === 'add') return (a as number) + (b as number);
  return a;
});
