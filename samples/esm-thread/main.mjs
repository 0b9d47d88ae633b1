// Calling a service hosted in a reactor thread from an ES module: at the top level and inside an
// async function, where in-thread blocking (@waitFor, which pumps this thread's own loop) is
// refused because the caller runs inside a microtask. Run after `npm run build`:
//
//   node samples/esm-thread/main.mjs
import { fileURLToPath } from 'node:url';
import { reactorThread } from 'crochet';

const servicePath = fileURLToPath(new URL('./rates-service.mjs', import.meta.url));
const rates = reactorThread.load(servicePath).create('RatesService', [20], { timeoutMs: 1_000 });

// ES-module top level: a plain blocking call.
console.log('top level: EUR/USD =', rates.latest('EUR/USD'));

async function report() {
  await new Promise((resolve) => setTimeout(resolve, 10));
  // After an await: still a plain blocking call.
  for (const pair of rates.pairs()) {
    console.log(`in an async function: ${pair} =`, rates.latest(pair));
  }
  try {
    rates.latest('XXX/YYY');
  } catch (error) {
    console.log(`the service's error comes back as ${error.constructor.name}: ${error.message}`);
  }
}

await report();
// No stop() needed: the reactor thread never keeps the process alive.
