/**
 * A class with a decorated method: `meanCelsius()` is a `@waitFor` method that declares its own
 * timeout next to its code. Application code reaches it through the `BlockingForecast` facade
 * (typed: it returns a number); tests call the undecorated method with `unwrap()` and `await`.
 */
import { facade, waitFor } from 'crochet';
import type { TemperatureService } from './temperature-service';

export class Forecast {
  constructor(private readonly service: TemperatureService) {}

  /** The mean temperature of `cities`, asked for in parallel, rounded to 0.1 °C. */
  @waitFor(2_000)
  async meanCelsius(cities: readonly string[]): Promise<number> {
    if (cities.length === 0) throw new RangeError('meanCelsius() needs at least one city');
    const readings = await Promise.all(cities.map((city) => this.service.celsius(city)));
    const mean = readings.reduce((sum, value) => sum + value, 0) / readings.length;
    return Math.round(mean * 10) / 10;
  }
}

/** For application code; the method keeps the 2 000 ms timeout of its decorator. */
export class BlockingForecast extends facade(Forecast, { timeoutMs: 1_000 }) {}
