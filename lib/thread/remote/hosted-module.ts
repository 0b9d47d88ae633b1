/**
 * What `ReactorThread.load()` gives for a module: its exports, `create()` (a service constructed
 * in the reactor thread) and `functions()` (the module's exported functions), each a remote
 * facade planned from its options. Options are checked before the service exists, so that bad
 * ones never leave one behind.
 *
 * Context: the thread that built the ReactorThread; each call blocks on that thread's connection.
 */
import { messages } from '../../messages';
import { checkOptionKeys } from '../../facade/method-planner';
import type { ReactorController } from '../../core/reactor';
import { checkTimeout } from '../../declare/timeout-arg';
import type { Connection } from '../caller/connection';
import { DEFAULT_DISPOSE_TIMEOUT_MS } from '../host/hosted-objects';
import type { HostedModule, UntypedService } from '../hosted-types';
import { HOSTED_OPTIONS, planMethods } from './method-plans';
import type { ExportInfo, MethodInfo, MethodPlan, RemoteRef } from '../transport/protocol';
import { makeFacade } from './remote';
import { argumentsByValue } from '../transport/by-value';

/** What a loaded module needs from its reactor thread. */
export interface ModuleThread {
  /** The controller whose reports and eventual results the facades use. */
  readonly controller: ReactorController;
  /** The thread's connection, started if need be; throws ReactorStopped once it has stopped. */
  connect(): Connection;
}

/** The options of `create()`: a hosted facade's, and how the service is disposed. */
const CREATE_OPTIONS = [...HOSTED_OPTIONS, 'dispose', 'disposeTimeoutMs'];

/**
 * The module at `modulePath`, loaded in `thread`, whose exported classes are `exports`. Its
 * facades' types come from M; at run time every facade is planned from what the host found on
 * the object itself.
 */
export function hostedModule<M>(
  thread: ModuleThread,
  modulePath: string,
  exports: readonly ExportInfo[],
): HostedModule<M> {
  return {
    path: modulePath,
    exports,
    create: (name: string, args: readonly unknown[], options?: object) =>
      create(thread, modulePath, exports, name, args, options),
    functions: (options?: object) => functions(thread, modulePath, options),
  } as unknown as HostedModule<M>;
}

function create(
  thread: ModuleThread,
  modulePath: string,
  exports: readonly ExportInfo[],
  name: string,
  args: readonly unknown[],
  options: object = {},
): UntypedService {
  const subject = `create(${JSON.stringify(name)})`;
  const info = exports.find((e) => e.name === name);
  const given = checkOptionKeys(subject, options, CREATE_OPTIONS);
  const { dispose, disposeTimeoutMs, ...facadeOptions } = given;
  // Checked before the service exists, so that bad options never leave one behind.
  if (info !== undefined) {
    planMethods(info.methods, facadeOptions, name, true, subject);
    checkDispose(name, dispose, info.methods);
  }
  const limit =
    disposeTimeoutMs === undefined
      ? DEFAULT_DISPOSE_TIMEOUT_MS
      : checkTimeout(disposeTimeoutMs, `${subject} option disposeTimeoutMs`);
  const connection = thread.connect();
  // The host restores Buffers in constructor arguments whether or not there are any.
  const { list } = argumentsByValue(args, subject);
  const ref = connection.request(
    (id) => ({
      k: 'new',
      id,
      path: modulePath,
      exportName: name,
      args: list,
      dispose: dispose as string | false | undefined,
      disposeTimeoutMs: limit,
    }),
    list,
    undefined,
    subject,
    (arrived) => arrived,
  ) as RemoteRef;
  return facadeOf(thread, connection, ref, facadeOptions, subject);
}

function functions(thread: ModuleThread, modulePath: string, options: object = {}): UntypedService {
  const subject = `functions(${JSON.stringify(modulePath)})`;
  const connection = thread.connect();
  const ref = connection.request(
    (id) => ({ k: 'functions', id, path: modulePath }),
    [],
    undefined,
    subject,
    (arrived) => arrived,
  ) as RemoteRef;
  return facadeOf(thread, connection, ref, options, subject);
}

/** The facade of a new reference, planned from `options`; bad options give the ref back. */
function facadeOf(
  thread: ModuleThread,
  connection: Connection,
  ref: RemoteRef,
  options: object,
  subject: string,
): UntypedService {
  let plans: MethodPlan[];
  try {
    plans = planMethods(ref.methods, options, ref.className, true, subject);
  } catch (error) {
    connection.sendQuietly({ k: 'release', target: ref.$crochetRef });
    throw error;
  }
  const facade = makeFacade(thread.controller, connection, ref.$crochetRef, ref.className, plans);
  return facade as unknown as UntypedService;
}

function checkDispose(className: string, dispose: unknown, methods: readonly MethodInfo[]): void {
  if (dispose === undefined || dispose === false) return;
  if (typeof dispose !== 'string' || !methods.some((m) => m.name === dispose)) {
    const known = methods.map((m) => m.name);
    throw new TypeError(messages.threadBadDispose(className, dispose, known));
  }
}
