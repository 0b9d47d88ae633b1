/**
 * Downloads that run in the background: `download()` is a `@runInReactor` method, so it returns
 * an EventualResult at once and the transfer goes on while the application does other things.
 *
 * The body passes `currentSignal()` to fetch: cancelling the EventualResult (or the reactor
 * stopping) aborts the transfer itself, not just the caller's interest in it.
 */
import { createHash } from 'node:crypto';
import { currentSignal, eventualBody, runInReactor, type EventualResult } from 'crochet';

export interface Download {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export class Downloader {
  constructor(private readonly baseUrl: string) {}

  @runInReactor
  download(path: string): EventualResult<Download> {
    return eventualBody(async () => {
      const response = await fetch(new URL(path, this.baseUrl), { signal: currentSignal() });
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${path}`);
      const body = Buffer.from(await response.arrayBuffer());
      const sha256 = createHash('sha256').update(body).digest('hex').slice(0, 12);
      return { path, bytes: body.length, sha256 };
    });
  }
}
