/**
 * Reactor threads: services hosted on their own event-loop thread, called with blocking facades
 * from any context and any thread. The design (transport, spin budget, values and errors,
 * faults, output) is described in docs/reactor-threads.md.
 */
export {
  ReactorThread,
  reactorThread,
  hostServices,
  attach,
  ServiceHostHere,
} from './reactor-thread';
export type {
  ReactorThreadOptions,
  ReactorThreadState,
  HostedModule,
  CreateOptions,
  UntypedModule,
  UntypedService,
} from './reactor-thread';
export { RemoteFacade, release, handleOf } from './remote';
export type { ServiceHandle } from './remote';
export type {
  RemoteOptions,
  RemoteResultOptions,
  RemoteMap,
  Hosted,
  Remote,
  FunctionsOf,
} from './hosted-types';
export { registerErrorClass } from './wire';
