/**
 * Reactor threads: services hosted on their own event-loop thread, called with blocking facades
 * from any context and any thread. The design (transport, spin budget, values and errors,
 * faults, output) is described in docs/reactor-threads.md.
 */
export { ReactorThread, reactorThread, hostServices, ServiceHostHere } from './reactor-thread';
export type {
  ReactorThreadOptions,
  ReactorThreadState,
  HostedModule,
  UntypedModule,
  UntypedService,
} from './reactor-thread';
export { RemoteFacade, release, handleOf, attach } from './remote';
export type { RemoteOptions, ServiceHandle, Remote } from './remote';
export { registerErrorClass } from './wire';
