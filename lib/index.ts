/// <reference types="node" preserve="true" />
// Node's types are referenced so that projects whose tsconfig lists no "types" (the TypeScript 6
// default) can use the declarations, which name node: modules.
// The public API. This file only re-exports; test plumbing is in testing.ts ('crochet/testing').
/**
 * Call promise-based code from synchronous code: decorated methods (`@waitFor`,
 * `@runInReactor`), wrapped functions and generated facades run on the event loop while the
 * caller blocks safely until a value, an error, a timeout or shutdown; services hosted on a
 * reactor thread give the same blocking facades from any context. Test plumbing is in
 * `crochet/testing`.
 *
 * @module crochet
 */
export { reactor, setup, noSetup, retrieveResult, waitFor, runInReactor, facade } from './global';
export type { FacadeOptions, FacadeOf, FacadeClass } from './facade/facade';
export type {
  Blocking,
  MethodKeys,
  WrapMap,
  Delivered,
  DeliveredResult,
  EventualDeliveredResult,
  FacadeConstructor,
  AnyFunction,
} from './facade/blocking-types';
export { ReactorController } from './core/reactor';
export type { ReactorState, SetupOptions } from './core/collaborators';
export { EventualResult } from './core/eventual-result';
export { currentSignal } from './core/call-context';
export type { ReactorMethodKind } from './core/call-context';
export { unwrap } from './declare/decorators';
export type {
  WaitForDecorator,
  RunInReactorDecorator,
  BlockingFunction,
  EventualFunction,
  EventualValue,
  WrapsOriginal,
} from './declare/decorators';
export { reactorMethods } from './declare/reactor-methods';
export type { ReactorMethodEntry, AnyClass } from './declare/reactor-methods';
export { blockingBody, eventualBody } from './declare/declared-body';
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
export type { Logger } from './core/logger';
export { stderrLogger } from './core/logger';
export type { ShutdownPhase, ShutdownHook, ShutdownHookOptions } from './core/shutdown-hooks';
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
  CreateOptions,
  RemoteOptions,
  RemoteResultOptions,
  RemoteMap,
  Hosted,
  FunctionsOf,
  ServiceHandle,
  Remote,
} from './thread';
export type { ExportInfo, MethodInfo } from './thread/transport/protocol';
