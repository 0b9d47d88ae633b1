/**
 * Service modules as a host loads them: each path loaded once (require() first, for CommonJS
 * and for TypeScript under tsx's CommonJS hook, which is what the reactor thread registers;
 * import() for ES modules), and what they export: classes for `create()`, functions for
 * `functions()`.
 *
 * Context: the host's thread.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import type { AnyClass } from '../reactor-methods';

export type ModuleNamespace = Record<string, unknown>;

const requireHere = createRequire(__filename);

export class ServiceModules {
  private readonly loaded = new Map<string, Promise<ModuleNamespace>>();

  /** The module's namespace, loading it on first use (a failed load is retried next time). */
  load(modulePath: string): Promise<ModuleNamespace> {
    let loaded = this.loaded.get(modulePath);
    if (loaded === undefined) {
      loaded = loadModule(modulePath);
      this.loaded.set(modulePath, loaded);
      loaded.catch(() => this.loaded.delete(modulePath));
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
