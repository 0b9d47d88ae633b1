/**
 * The reactor-side service: ordinary async code that polls the quote URL on an interval and keeps
 * the latest value. It knows nothing about crochet, so it can be tested alone with `await`.
 */
export class ExchangeRateService {
  #value: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #polls: AbortController | undefined;

  constructor(
    private readonly url: string,
    private readonly intervalMs = 100,
  ) {}

  /** Starts polling: one request now, then one every `intervalMs`. */
  start(): void {
    if (this.#timer !== undefined) return;
    const polls = new AbortController();
    this.#polls = polls;
    void this.#poll(polls.signal);
    this.#timer = setInterval(() => void this.#poll(polls.signal), this.intervalMs);
  }

  /** Stops polling and aborts a request in flight. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#polls?.abort();
  }

  /** The last rate received, or undefined before the first answer. */
  latestValue(): number | undefined {
    return this.#value;
  }

  async #poll(signal: AbortSignal): Promise<void> {
    try {
      const response = await fetch(this.url, { signal });
      if (!response.ok) throw new Error(`HTTP ${response.status} from ${this.url}`);
      const quote = (await response.json()) as { rate: number };
      this.#value = quote.rate;
    } catch (error) {
      // Keep the last good value; a stopped service ignores its own abort.
      if (!signal.aborted) console.error('exchange-rate: poll failed:', error);
    }
  }
}
