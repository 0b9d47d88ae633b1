/**
 * The reactor side: a plain async client of a temperature web service. It knows nothing about
 * crochet, so its own tests simply `await` it.
 */
export class UnknownCityError extends Error {
  override name = 'UnknownCityError';
  constructor(readonly city: string) {
    super(`no temperature known for ${city}`);
  }
}

export class TemperatureService {
  constructor(private readonly baseUrl: string) {}

  /** The current temperature of `city` in °C. */
  async celsius(city: string): Promise<number> {
    const response = await fetch(`${this.baseUrl}/temperature/${encodeURIComponent(city)}`);
    if (response.status === 404) throw new UnknownCityError(city);
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${city}`);
    const body = (await response.json()) as { celsius: number };
    return body.celsius;
  }
}
