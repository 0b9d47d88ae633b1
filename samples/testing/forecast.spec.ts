/**
 * Style 3: a decorated method tested with `unwrap()`: the very function that was decorated,
 * called with `await`, with no reactor and no blocking involved. The last test shows what
 * application code gets from the same method through its facade.
 */
import { expect } from 'chai';
import * as sinon from 'sinon';
import { reactorMethods, setup, unwrap } from 'crochet';
import { BlockingForecast, Forecast } from './forecast';
import { TemperatureService } from './temperature-service';

describe('Forecast.meanCelsius, through unwrap()', () => {
  const meanCelsius = unwrap(Forecast.prototype.meanCelsius);
  let service: sinon.SinonStubbedInstance<TemperatureService>;
  let forecast: Forecast;

  beforeEach(() => {
    service = sinon.createStubInstance(TemperatureService);
    forecast = new Forecast(service);
  });

  it('averages the temperatures of the cities', async () => {
    service.celsius.withArgs('Oslo').resolves(-3);
    service.celsius.withArgs('Rome').resolves(18);
    expect(await meanCelsius.call(forecast, ['Oslo', 'Rome'])).to.equal(7.5);
  });

  it('asks for every city at once, not one after the other', async () => {
    let inFlight = 0;
    let most = 0;
    service.celsius.callsFake(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight -= 1;
      return 10;
    });
    await meanCelsius.call(forecast, ['A', 'B', 'C']);
    expect(most).to.equal(3);
  });

  it('rejects an empty list', async () => {
    const error: unknown = await meanCelsius.call(forecast, []).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(RangeError);
  });

  it('is a plain number for application code, through BlockingForecast', () => {
    setup();
    service.celsius.resolves(12);
    const mean: number = new BlockingForecast(forecast).meanCelsius(['Oslo', 'Rome']);
    expect(mean).to.equal(12);
    expect(reactorMethods(BlockingForecast)).to.deep.include({
      name: 'meanCelsius',
      kind: 'waitFor',
      timeoutMs: 2_000,
      static: false,
    });
  });
});
