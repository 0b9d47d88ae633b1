// A service written as a plain ES module. It runs in the reactor thread: its async methods use
// timers (standing in for network calls) on that thread's event loop.
export class RatesService {
  #rates = new Map([
    ['EUR/USD', 1.08],
    ['GBP/USD', 1.27],
  ]);

  constructor(latencyMs = 20) {
    this.latencyMs = latencyMs;
  }

  async latest(pair) {
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const rate = this.#rates.get(pair);
    if (rate === undefined) throw new RangeError(`unknown currency pair ${pair}`);
    return rate;
  }

  async pairs() {
    return [...this.#rates.keys()];
  }
}
