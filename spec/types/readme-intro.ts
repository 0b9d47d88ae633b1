// The README's opening example compiles as written.
import { blockingBody, currentSignal, setup, waitFor } from '../../lib';

interface Settings {
  readonly verbose: boolean;
}

class Config {
  @waitFor(2_000)
  load(url: string): Settings {
    return blockingBody(async () => {
      const response = await fetch(url, { signal: currentSignal() }); // aborted on timeout
      return (await response.json()) as Settings;
    });
  }
}

export function readmeIntro(): Settings {
  setup();
  const settings: Settings = new Config().load('http://127.0.0.1:8080/settings'); // blocks
  return settings;
}
