/**
 * Service modules as a host loads them: each path loaded once (require() first, for CommonJS
 * and for TypeScript under tsx's CommonJS hook, which is what the reactor thread registers;
 * import() for ES modules), and what the `load`, `new` and `functions` requests make of them:
 * the classes they export with their methods, a constructed service, the exported functions.
 * Each fails with the error its caller gets: ReactorThreadError 'load-failed' (the module's
 * error as `cause`) or 'unknown-export', or the constructor's own error.
 *
 * Context: the host's thread.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { ReactorThreadError } from '../../errors';
import { messages } from '../../messages';
import type { AnyClass } from '../../declare/reactor-methods';
import type { ExportInfo } from '../transport/protocol';
import { describeClass } from '../transport/wire';

export type ModuleNamespace = Record<string, unknown>;

const requireHere = createRequire(__filename);

export class ServiceModules {
  private readonly loaded = new Map<string, Promise<ModuleNamespace>>();

  /** `hostName` names the thread in messages. */
  constructor(private readonly hostName: string) {}

  /** The module's exported classes, with their methods and decorator metadata. */
  async exportsOf(modulePath: string): Promise<ExportInfo[]> {
    const classes = exportedClasses(await this.load(modulePath));
    return Object.entries(classes).map(([name, cls]) => ({ name, methods: describeClass(cls) }));
  }

  /** `new ns[exportName](...args)`. */
  async construct(modulePath: string, exportName: string, args: unknown[]): Promise<object> {
    const classes = exportedClasses(await this.load(modulePath));
    const cls = classes[exportName];
    if (cls === undefined) {
      throw new ReactorThreadError(
        messages.threadUnknownExport(modulePath, exportName, Object.keys(classes)),
        'unknown-export',
      );
    }
    return new (cls as unknown as new (...a: unknown[]) => object)(...args);
  }

  /** The module's exported functions, as one object to host. */
  async functionsOf(modulePath: string): Promise<object> {
    const functions = exportedFunctions(await this.load(modulePath));
    if (Object.keys(functions).length === 0) {
      throw new ReactorThreadError(messages.threadNoFunctions(modulePath), 'unknown-export');
    }
    return functions;
  }

  /** The module's namespace, loading it on first use (a failed load is retried next time). */
  private load(modulePath: string): Promise<ModuleNamespace> {
    let loaded = this.loaded.get(modulePath);
    if (loaded === undefined) {
      loaded = loadModule(modulePath).catch((error: unknown) => {
        this.loaded.delete(modulePath);
        throw new ReactorThreadError(
          messages.threadLoadFailed(modulePath, this.hostName),
          'load-failed',
          { cause: error },
        );
      });
      this.loaded.set(modulePath, loaded);
    }
    return loaded;
  }
}

async function loadModule(modulePath: string): Promise<ModuleNamespace> {
  if (!/\.mjs$|\.mts$/.test(modulePath)) {
    try {
      return requireHere(modulePath) as ModuleNamespace;
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code !== 'ERR_REQUIRE_ESM') throw error;
    }
  }
  const specifier = path.isAbsolute(modulePath) ? pathToFileURL(modulePath).href : modulePath;
  return (await import(specifier)) as ModuleNamespace;
}

/**
 * Every function a module exports, with the ones of a `default` object merged in (a CommonJS
 * module imported as an ES module, or an ES module's default export object), in one
 * null-prototype object: callers reach the exports and nothing else, and a function that calls
 * a sibling through `this` finds it there.
 */
function exportedCallables(ns: ModuleNamespace): Record<string, unknown> {
  const functions = Object.create(null) as Record<string, unknown>;
  const add = (source: Record<string, unknown>): void => {
    for (const name of Object.keys(source)) {
      const value = source[name];
      if (name !== 'default' && typeof value === 'function' && !(name in functions)) {
        functions[name] = value;
      }
    }
  };
  add(ns);
  const fallback = ns['default'];
  if (typeof fallback === 'object' && fallback !== null) add(fallback as Record<string, unknown>);
  if (typeof fallback === 'function' && !('default' in functions)) functions['default'] = fallback;
  return functions;
}

/** What `functions()` hosts: the exported functions that are not `class` declarations. */
export function exportedFunctions(ns: ModuleNamespace): Record<string, unknown> {
  const functions = exportedCallables(ns);
  for (const name of Object.keys(functions)) {
    if (/^class\b/.test(Function.prototype.toString.call(functions[name]))) delete functions[name];
  }
  return functions;
}

/** Every class (constructible function) a module exports, `default` object merged in. */
export function exportedClasses(ns: ModuleNamespace): Record<string, AnyClass> {
  const classes: Record<string, AnyClass> = {};
  for (const [name, value] of Object.entries(exportedCallables(ns))) {
    if ((value as { prototype?: unknown }).prototype !== undefined)
      classes[name] = value as AnyClass;
  }
  return classes;
}
