/**
 * What `load()` accepts, turned into what the reactor thread loads: a `file:` URL or a path
 * becomes an absolute path; a package name is resolved where the application sees it.
 *
 * Context: the thread that calls `load()`.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { messages } from '../messages';

/** What `load()` accepts, as the path or specifier the reactor thread loads. */
export function modulePathOf(module: unknown): string {
  if (module instanceof URL) return fileURLToPath(module);
  if (typeof module !== 'string' || module === '') {
    throw new TypeError(messages.threadBadModule(module));
  }
  if (module.startsWith('file:')) return fileURLToPath(module);
  if (module.startsWith('./') || module.startsWith('../')) return path.resolve(module);
  if (path.isAbsolute(module)) return module;
  return resolveBare(module);
}

/**
 * A package name, resolved where the application sees it (its working directory, then its entry
 * module's folder: CommonJS main or the script Node was given), not from crochet's own folder,
 * which a strict layout (pnpm, a linked crochet) keeps apart from the application's packages.
 * A name that resolves nowhere here (a package that exports only for `import`, a typo) is left
 * to the reactor thread, which reports it as it loads it.
 */
function resolveBare(name: string): string {
  const entries = [require.main?.filename, process.argv[1]].filter(
    (file): file is string => typeof file === 'string' && file !== '',
  );
  const bases = [process.cwd(), ...entries.map((file) => path.dirname(path.resolve(file)))];
  for (const base of bases) {
    try {
      return require.resolve(name, { paths: [base] });
    } catch {
      // Not visible from there.
    }
  }
  return name;
}
