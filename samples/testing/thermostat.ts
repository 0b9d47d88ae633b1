/**
 * The application side: plain synchronous code that reads temperatures through a blocking
 * facade of TemperatureService and never sees a promise.
 */
import { facade, TimeoutError } from 'crochet';
import { TemperatureService } from './temperature-service';

/** The blocking view of TemperatureService: `celsius(city)` returns a number. */
export class Temperature extends facade(TemperatureService, { timeoutMs: 500 }) {}

export type Advice = 'heat' | 'cool' | 'ok' | 'no reading';

export class Thermostat {
  constructor(
    private readonly temperature: Temperature,
    private readonly targetCelsius: number,
  ) {}

  /** What to do in `city`; a reading that does not arrive in time gives 'no reading'. */
  advise(city: string): Advice {
    let celsius: number;
    try {
      celsius = this.temperature.celsius(city);
    } catch (error) {
      if (error instanceof TimeoutError) return 'no reading';
      throw error;
    }
    if (celsius < this.targetCelsius - 1) return 'heat';
    if (celsius > this.targetCelsius + 1) return 'cool';
    return 'ok';
  }
}
