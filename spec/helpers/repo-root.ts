/** The repository's root: the nearest folder above `start` whose package.json is crochet's. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (name === 'crochet') return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no crochet package.json above ${start}`);
  }
}
