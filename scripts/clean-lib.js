#!/usr/bin/env node
/**
 * Removes dist/lib before `npm run build:lib`, so that the package never ships compiled files
 * whose source is gone (or declarations from the full build, which keeps `@internal` members).
 * Plain CommonJS, no dependencies.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

fs.rmSync(path.join(__dirname, '..', 'dist', 'lib'), { recursive: true, force: true });
