/**
 * A service for a reactor thread, decorated with the package's decorators; compiled in both
 * decorator modes like the rest of spec/dual (see service.ts).
 */
import { currentSignal, runInReactor, waitFor } from '../../lib/index';
import { compiledMode, sleep } from './service';

export class Hosted {
  mode(): string {
    return compiledMode;
  }

  @waitFor(1_000)
  async echo(text: string): Promise<string> {
    return text;
  }

  @waitFor(50)
  async hang(): Promise<number> {
    await sleep(5_000, currentSignal());
    return 0;
  }

  @runInReactor
  async background(): Promise<string> {
    return 'bg';
  }
}
