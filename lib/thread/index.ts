/**
 * Reactor threads: services hosted on their own event-loop thread, called with blocking facades
 * from any context and any thread. The design (transport, spin budget, values and errors,
 * faults, output) is described in docs/reactor-threads.md.
 */
export { ReactorThread, reactorThread } from './reactor-thread';
export type { ReactorThreadOptions, ReactorThreadState } from './reactor-thread';
export { hostServices, attach, ServiceHostHere } from './hosted-here';
export { RemoteFacade, release, handleOf } from './remote/remote';
export type { ServiceHandle } from './remote/remote';
export type {
  HostedModule,
  CreateOptions,
  UntypedModule,
  UntypedService,
  RemoteOptions,
  RemoteResultOptions,
  RemoteMap,
  Hosted,
  Remote,
  FunctionsOf,
} from './hosted-types';
export { registerErrorClass } from './transport/wire';
