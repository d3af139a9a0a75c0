/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS shim: Nx loads generator factories with require() */
// Nx loads generator factories with require(); without @swc-node or ts-node it
// cannot read TypeScript. tsx (already our script runner) registers a require
// hook for .ts, so the generator itself stays TypeScript.
const { register } = require('tsx/cjs/api');
register();
module.exports = require('./generator.ts');
