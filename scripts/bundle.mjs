#!/usr/bin/env node
// Bundles the CLI into dist/megamirror.mjs (plus chunks loaded on demand). Why: loading ~900 separate ES modules cost
// 0.6-1.3 s at every start here (more than rsync needs for a whole 100,000-file plan); one bundled
// file starts in about a fifth of that. The library entry (dist/index.js) stays unbundled tsc output.
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  // CommonJS dependencies call require() for Node built-ins; give the ES module bundle one.
  banner: { js: "import { createRequire as __mmCreateRequire } from 'node:module'; const require = __mmCreateRequire(import.meta.url);" },
};

/**
 * The job-file validator, generated ahead of time: src/config/schema-validator.ts compiles it with
 * ajv at first use (150-200 ms per start); the bundle gets ajv's standalone code for the same
 * configuration instead, and so leaves ajv's compiler out. The schema text is embedded: a bundle
 * run against an edited schema says so instead of validating with the old one.
 */
async function aheadOfTimeValidator() {
  const { jobSchemaAjv } = await import(`${root}/dist/config/schema-validator.js`);
  const schemaText = readFileSync(join(root, 'schemas', 'jobs.schema.json'), 'utf8');
  const schema = JSON.parse(schemaText);
  const ajv = jobSchemaAjv({ code: { source: true, esm: true } });
  const code = standaloneCode.default(ajv, ajv.compile(schema));
  return `${code}
const BUILT_FROM = ${JSON.stringify(JSON.stringify(schema))};
export function compileJobSchema(schema) {
  if (JSON.stringify(schema) !== BUILT_FROM) {
    throw new Error('schemas/jobs.schema.json changed after this bundle was built: run npm run build');
  }
  return validate;
}
`;
}
const validatorSource = await aheadOfTimeValidator();
const aheadOfTime = {
  name: 'ahead-of-time-validator',
  setup(b) {
    b.onResolve({ filter: /\/schema-validator\.js$/ }, (args) => ({ path: join(args.resolveDir, 'schema-validator.ts'), namespace: 'aot' }));
    b.onLoad({ filter: /.*/, namespace: 'aot' }, (args) => ({ contents: validatorSource, loader: 'js', resolveDir: dirname(args.path) }));
  },
};

// Split at dynamic imports: the MEGA client and execa (hooks) load only when a run needs them,
// which takes about a third off what every start compiles (dist/chunks/).
rmSync(join(root, 'dist', 'chunks'), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { megamirror: 'src/cli/bin.ts' },
  outdir: 'dist',
  splitting: true,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  plugins: [aheadOfTime],
});
await build({ ...common, entryPoints: ['src/backends/local/walk-worker.ts'], outfile: 'dist/walk-worker.mjs' });
chmodSync(`${root}/dist/megamirror.mjs`, 0o755);
