/**
 * The decorated service of the decorator-mode specs. This file is compiled twice: by the root
 * tsconfig.json (legacy `experimentalDecorators`, into dist/spec/dual) and by
 * spec/standard/tsconfig.json (standard TC39 decorators, into dist/standard/spec/dual). The same
 * source, so the same behaviour is checked under both (spec/dual/behaviour.ts).
 */
import { blockingBody, currentSignal, eventualBody, type EventualResult } from '../../lib/index';
import type { createDecorators } from '../../lib/testing';

export type Decorators = ReturnType<typeof createDecorators>;

/** A decorator that accepts every calling convention, for misuse specs (types would refuse). */
export type AnyDecorator = (...args: unknown[]) => void;

/** How this file's decorators were applied: recorded by a probe when the module loads. */
export const compiledMode: 'legacy' | 'standard' = (() => {
  let seen: 'legacy' | 'standard' = 'legacy';
  const probe: AnyDecorator = (...args) => {
    seen = args.length === 2 && typeof args[1] === 'object' ? 'standard' : 'legacy';
  };
  class Probe {
    @probe
    method(): void {}
  }
  void Probe;
  return seen;
})();

/** Resolves after `ms`, or rejects with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    });
  });
}

export const bySymbol = Symbol('bySymbol');

/** The service classes, decorated by the given (reactor-bound) decorators. */
export function defineServices({ waitFor, runInReactor }: Decorators) {
  class Rates {
    static created = 0;
    readonly log: string[] = [];
    constructor(readonly label: string) {}

    @waitFor(1_000)
    describe(prefix: string, suffix: string): string {
      return `${prefix}${this.label}${suffix}`;
    }

    @waitFor(1_000)
    async slowly(ms: number): Promise<string> {
      await sleep(ms, currentSignal());
      return `${this.label} after ${ms}`;
    }

    @waitFor(50)
    async tooSlow(): Promise<string> {
      await sleep(2_000, currentSignal());
      return 'never';
    }

    @runInReactor
    async later(prefix: string): Promise<string> {
      this.log.push('later body');
      await sleep(1);
      return `${prefix}${this.label}`;
    }

    @waitFor(1_000)
    latest(pair: string): number {
      return blockingBody(async () => {
        await sleep(1, currentSignal());
        return pair.length;
      });
    }

    @runInReactor
    refresh(): EventualResult<string> {
      return eventualBody(async () => `refreshed ${this.label}`);
    }

    @waitFor(1_000)
    collect(...args: unknown[]): { self: unknown; args: unknown[]; count: number } {
      return { self: this, args, count: arguments.length };
    }

    @waitFor(1_000)
    arity(a: number, b: number, c = 0): number {
      return a + b + c;
    }

    @runInReactor
    [bySymbol](): string {
      return 'by symbol';
    }

    plain(): string {
      return 'plain';
    }

    @waitFor(250)
    static make(label: string): Rates {
      this.created += 1;
      return new this(label);
    }

    @runInReactor
    static kind(): string {
      return this.name;
    }
  }

  class LiveRates extends Rates {
    @runInReactor
    stop(): string {
      return 'stopped';
    }

    // Redecorated with another kind: the subclass decides alone.
    @runInReactor
    override latest(pair: string): number {
      return pair.length * 2;
    }

    // Overridden without decoration: no longer reactor-bound.
    override describe(prefix: string, suffix: string): string {
      return `${suffix}${this.label}${prefix}`;
    }
  }

  /** A class used only through a facade: its own @waitFor timeouts are honoured there. */
  class Quotes {
    @waitFor(20)
    async slowish(): Promise<string> {
      await sleep(60);
      return 'original ran';
    }

    @waitFor(300)
    async quick(): Promise<number> {
      return 1;
    }

    @waitFor(40)
    async hang(): Promise<number> {
      await sleep(2_000, currentSignal());
      return 0;
    }

    @runInReactor
    async background(): Promise<string> {
      return 'bg';
    }
  }

  return { Rates, LiveRates, Quotes };
}
