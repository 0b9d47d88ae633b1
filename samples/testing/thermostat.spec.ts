/**
 * Style 1: application code over a facade of a sinon-stubbed service. The tests are synchronous,
 * like the application code they test: the facade blocks, the stub answers.
 */
import { expect } from 'chai';
import * as sinon from 'sinon';
import { currentSignal, setup } from 'crochet';
import { setTimeout as delay } from 'node:timers/promises';
import { TemperatureService, UnknownCityError } from './temperature-service';
import { Temperature, Thermostat } from './thermostat';

setup(); // once per process; calling it again is harmless

describe('Thermostat, over a facade of a stubbed TemperatureService', () => {
  let service: sinon.SinonStubbedInstance<TemperatureService>;
  let thermostat: Thermostat;

  beforeEach(() => {
    service = sinon.createStubInstance(TemperatureService);
    thermostat = new Thermostat(new Temperature(service), 20);
  });

  it('advises heating when the city is colder than the target', () => {
    service.celsius.withArgs('Oslo').resolves(-3);
    expect(thermostat.advise('Oslo')).to.equal('heat');
    sinon.assert.calledOnceWithExactly(service.celsius, 'Oslo');
  });

  it('advises nothing within a degree of the target', () => {
    service.celsius.resolves(20.5);
    expect(thermostat.advise('Lisbon')).to.equal('ok');
  });

  it('passes the service error through unchanged', () => {
    const error = new UnknownCityError('Atlantis');
    service.celsius.rejects(error);
    expect(() => thermostat.advise('Atlantis')).to.throw(error);
  });

  it('gives "no reading" when the service is slower than the facade timeout', () => {
    // The stub honours the call's AbortSignal, as a real service should: it stops on timeout.
    service.celsius.callsFake(async () => {
      await delay(5_000, undefined, { signal: currentSignal() });
      return 0;
    });
    expect(thermostat.advise('Reykjavik')).to.equal('no reading');
  });
});
