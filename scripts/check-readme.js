#!/usr/bin/env node
/**
 * `node scripts/check-readme.js`: type-checks every ```ts block of README.md, CONTRIBUTING.md and
 * docs/*.md (not docs/api) with the TypeScript compiler API, under the project's strict settings
 * (tsconfig.json). spec/readme.spec.ts runs it as part of `npm test`.
 *
 * Each block becomes its own module in dist/readme-check/ (inside the package, so `node_modules`
 * and `@types/node` resolve as for the project); `crochet` and `crochet/testing` map to
 * lib/index.ts and lib/testing.ts through `paths`. Blocks use `experimentalDecorators` unless
 * marked. An HTML comment on the line before a block (blank lines between are allowed) changes
 * that, one or more markers separated by `;`:
 *
 * - `<!-- readme-check: standard-decorators -->`: checked with TypeScript's standard (TC39)
 *   decorators (no `experimentalDecorators`).
 * - `<!-- readme-check: continues -->`: appended to the previous block of the same file (for a
 *   block that uses declarations from the one before it); the combined module is checked once.
 * - `<!-- readme-check: file NAME -->`: the module's file name (e.g. `rates-service.ts`, which
 *   another block imports as `./rates-service`). A `.mts` name makes an ES module.
 * - `<!-- readme-check: skip (reason) -->`: not checked; the reason is required.
 *
 * Prints one line per block and the diagnostics; exits 1 when any block fails to compile.
 * Plain CommonJS with no build step of its own.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'dist', 'readme-check');
const MARKER = /^<!--\s*readme-check:\s*(.*?)\s*-->$/;

/** The Markdown files whose TypeScript blocks are checked, relative to the repository root. */
function docFiles() {
  const files = ['README.md', 'CONTRIBUTING.md'];
  const docs = path.join(root, 'docs');
  if (fs.existsSync(docs)) {
    for (const entry of fs.readdirSync(docs).sort()) {
      if (entry.endsWith('.md')) files.push(path.join('docs', entry));
    }
  }
  return files.filter((file) => fs.existsSync(path.join(root, file)));
}

/** Parses a marker comment's text into `{ standard, continues, moduleName, skip }`. */
function parseMarkers(text, where) {
  const markers = { standard: false, continues: false, moduleName: undefined, skip: undefined };
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    if (part === 'standard-decorators') markers.standard = true;
    else if (part === 'continues') markers.continues = true;
    else if (part.startsWith('file ')) markers.moduleName = part.slice('file '.length).trim();
    else if (part.startsWith('skip')) {
      const reason = /^skip\s*\((.+)\)$/.exec(part);
      if (reason === null) throw new Error(`${where}: a skip marker needs a reason: skip (why)`);
      markers.skip = reason[1];
    } else throw new Error(`${where}: unknown readme-check marker '${part}'`);
  }
  return markers;
}

/**
 * The ```ts blocks of one Markdown file: `{ file, line, code, standard, continues, moduleName,
 * skip }`,
 * `line` being the 1-based line of the opening fence. Indented blocks (in list items) are
 * unindented.
 */
function extractBlocks(file) {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i]);
    if (open === null) continue;
    const indent = open[1].length;
    let previous = i - 1;
    while (previous >= 0 && lines[previous].trim() === '') previous -= 1;
    const marker = previous >= 0 ? MARKER.exec(lines[previous].trim()) : null;
    const markers =
      marker === null ? parseMarkers('', '') : parseMarkers(marker[1], `${file}:${previous + 1}`);
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j += 1) {
      body.push(lines[j].slice(Math.min(indent, lines[j].length - lines[j].trimStart().length)));
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: unterminated code block`);
    blocks.push({ file, line: i + 1, code: body.join('\n') + '\n', ...markers });
    i = j;
  }
  return blocks;
}

/**
 * Groups the blocks into modules (a `continues` block joins the one before it) and names them:
 * `{ fileName, code, standard, blocks }`. Skipped blocks are left out.
 */
function modulesOf(blocks) {
  const modules = [];
  let last;
  for (const block of blocks) {
    if (block.skip !== undefined) {
      last = undefined;
      continue;
    }
    if (block.continues) {
      if (last === undefined || last.blocks[0].file !== block.file) {
        throw new Error(`${block.file}:${block.line}: 'continues' with no checked block before it`);
      }
      last.code += block.code;
      last.blocks.push(block);
      last.standard ||= block.standard;
      continue;
    }
    const stem = `${block.file.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-${block.line}`;
    last = {
      fileName: block.moduleName ?? `${stem.toLowerCase()}.ts`,
      code: block.code,
      standard: block.standard,
      blocks: [block],
    };
    modules.push(last);
  }
  const seen = new Set();
  for (const module of modules) {
    if (seen.has(module.fileName)) throw new Error(`two blocks are named ${module.fileName}`);
    seen.add(module.fileName);
  }
  return modules;
}

/** The project's compiler options (tsconfig.json), adapted to check the blocks. */
function compilerOptions(ts, standard) {
  const configFile = path.join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configFile, ts.sys.readFile);
  if (config.error !== undefined)
    throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configFile);
  const options = {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    rootDir: undefined,
    outDir: undefined,
    types: ['node'],
    paths: {
      crochet: [path.join(root, 'lib', 'index.ts')],
      'crochet/testing': [path.join(root, 'lib', 'testing.ts')],
    },
  };
  if (standard) {
    options.experimentalDecorators = false;
    options.emitDecoratorMetadata = false;
  } else {
    options.experimentalDecorators = true;
  }
  return options;
}

/**
 * Writes the modules to dist/readme-check/ and type-checks them, legacy and standard decorators in
 * separate programs. Returns `{ modules, skipped, failures }`, a failure being `{ module, text }`.
 */
function check() {
  const ts = require('typescript');
  const blocks = docFiles().flatMap(extractBlocks);
  const modules = modulesOf(blocks);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const module of modules) {
    // A block with no import or export is still a module of its own, not a global script.
    fs.writeFileSync(path.join(outDir, module.fileName), `${module.code}export {};\n`);
  }
  const failures = [];
  for (const standard of [false, true]) {
    const group = modules.filter((module) => module.standard === standard);
    if (group.length === 0) continue;
    const files = group.map((module) => path.join(outDir, module.fileName));
    const program = ts.createProgram(files, compilerOptions(ts, standard));
    const diagnostics = ts.getPreEmitDiagnostics(program);
    for (const diagnostic of diagnostics) {
      const file = diagnostic.file?.fileName;
      const module = group.find(
        (m) => file !== undefined && path.join(outDir, m.fileName) === path.resolve(file),
      );
      let where = file === undefined ? '' : path.relative(root, file);
      if (module !== undefined && diagnostic.start !== undefined) {
        const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
        where = sourceLine(module, line);
      }
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      failures.push({ module, text: `${where}: TS${diagnostic.code}: ${text}` });
    }
  }
  const skipped = blocks.filter((block) => block.skip !== undefined);
  return { modules, skipped, failures };
}

/** `FILE.md:LINE` of a 0-based line of a module's code. */
function sourceLine(module, line) {
  let first = 0;
  for (const block of module.blocks) {
    const count = block.code.split('\n').length - 1;
    if (line < first + count) return `${block.file}:${block.line + 1 + line - first}`;
    first += count;
  }
  const lastBlock = module.blocks[module.blocks.length - 1];
  return `${lastBlock.file}:${lastBlock.line}`;
}

module.exports = { docFiles, extractBlocks, modulesOf, parseMarkers, check, root, outDir };

if (require.main === module) {
  const { modules, skipped, failures } = check();
  for (const module of modules) {
    const where = module.blocks.map((block) => `${block.file}:${block.line}`).join(' + ');
    const mode = module.standard ? 'standard decorators' : 'experimentalDecorators';
    console.log(`${where}: ${module.fileName} (${mode})`);
  }
  for (const block of skipped) console.log(`${block.file}:${block.line}: skipped (${block.skip})`);
  for (const failure of failures) console.error(failure.text);
  console.log(
    `readme-check: ${modules.length} modules, ${skipped.length} skipped, ${failures.length} errors`,
  );
  process.exitCode = failures.length === 0 ? 0 : 1;
}
