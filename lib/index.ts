/// <reference types="node" preserve="true" />
// Node's types are referenced so that projects whose tsconfig lists no "types" (the TypeScript 6
// default) can use the declarations, which name node: modules.
// The public API. This file only re-exports.
export { reactor, setup, noSetup, retrieveResult, waitFor, runInReactor, facade } from './global';
export { createFacadeFactory } from './facade';
export type { FacadeOptions, FacadeOf, FacadeClass } from './facade';
export type {
  Blocking,
  MethodKeys,
  WrapMap,
  Delivered,
  DeliveredResult,
  FacadeConstructor,
} from './blocking-types';
export { ReactorController, defaultCollaborators } from './reactor';
export type { ReactorState, SetupOptions, ReactorCollaborators } from './reactor';
export { EventualResult } from './eventual-result';
export { currentSignal } from './call-context';
export type { ReactorMethodKind } from './call-context';
export { unwrap, createDecorators } from './decorators';
export type {
  WaitForDecorator,
  RunInReactorDecorator,
  BlockingFunction,
  EventualFunction,
  EventualValue,
  WrapsOriginal,
} from './decorators';
export { reactorMethods } from './reactor-methods';
export type { ReactorMethodEntry } from './reactor-methods';
export { blockingBody, eventualBody } from './declared-body';
export {
  CrochetError,
  TimeoutError,
  ReactorStopped,
  CancelledError,
  NotSetUpError,
  DeadlockError,
  ReactorThreadError,
} from './errors';
export type { DeadlockReason, ReactorThreadFault } from './errors';
export type { Logger } from './logger';
export { stderrLogger } from './logger';
export type { ShutdownPhase, ShutdownHook, ShutdownHookOptions } from './shutdown-hooks';
export type { EventLoopPump } from './pump';
export type { ProcessIntegration, ProcessHandlers, ShutdownSignal } from './process-integration';
export { messages } from './messages';
export {
  ReactorThread,
  reactorThread,
  hostServices,
  ServiceHostHere,
  RemoteFacade,
  release,
  handleOf,
  attach,
  registerErrorClass,
} from './thread';
export type {
  ReactorThreadOptions,
  ReactorThreadState,
  HostedModule,
  UntypedModule,
  UntypedService,
  RemoteOptions,
  ServiceHandle,
  Remote,
} from './thread';
