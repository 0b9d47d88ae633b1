/**
 * Style 2: the async service tested alone, with `await`, against a local server. No crochet.
 */
import { expect } from 'chai';
import { startTemperatureServer, type RunningServer } from './temperature-server';
import { TemperatureService, UnknownCityError } from './temperature-service';

describe('TemperatureService, tested alone with await', () => {
  let server: RunningServer;
  let service: TemperatureService;

  before(async () => {
    server = await startTemperatureServer({ Oslo: -3, 'São Paulo': 24 });
    service = new TemperatureService(server.url);
  });

  after(() => server.close());

  it('reads the temperature of a city', async () => {
    expect(await service.celsius('Oslo')).to.equal(-3);
  });

  it('encodes city names', async () => {
    expect(await service.celsius('São Paulo')).to.equal(24);
  });

  it('rejects with UnknownCityError for a city the server does not know', async () => {
    const error: unknown = await service.celsius('Atlantis').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(UnknownCityError);
    expect(error).to.have.property('city', 'Atlantis');
  });
});
