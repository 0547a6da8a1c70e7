/**
 * Builds the browser playground into dist/playground-web/ (index.html,
 * app.js, app.css): `npm run build` runs it after tsc. The bundle is made
 * from src/ by esbuild; the example menu is generated from the repository.
 *
 *   node dist/playground/build-bundle.js [--out DIR]
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { packExamples } from './example-menu.js';
import { collectExamples } from './examples.js';
import { errorMessage } from '../kube/errors.js';

const root = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
const outIndex = process.argv.indexOf('--out');
const out = outIndex > 0 ? path.resolve(process.argv[outIndex + 1] as string) : path.join(root, 'dist/playground-web');

// The loaders import node:fs and node:path for reading files; the page feeds
// them text instead, so those imports resolve to functions that throw if called.
const NODE_STUBS: Record<string, string[]> = {
  'node:fs/promises': ['readdir', 'readFile', 'stat', 'writeFile', 'mkdir', 'rename', 'rm', 'open', 'access', 'lstat', 'realpath'],
  'node:fs': ['readFileSync', 'existsSync', 'statSync', 'readdirSync', 'watch', 'createReadStream'],
  'node:path': ['join', 'dirname', 'resolve', 'relative', 'basename', 'extname', 'isAbsolute', 'sep'],
  'node:url': ['fileURLToPath', 'pathToFileURL'],
  // Code converters load TypeScript through tsx; the playground refuses code converters.
  'tsx/esm/api': ['tsImport'],
};

const nodeStubs: Plugin = {
  name: 'node-stubs',
  setup(b) {
    b.onResolve({ filter: /^(node:|tsx\/esm\/api$)/ }, (args) => ({ path: args.path, namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => {
      const names = NODE_STUBS[args.path] ?? [];
      const fail = `() => { throw new Error(${JSON.stringify(`${args.path} is not available in the browser playground`)}); }`;
      const body = names.map((n) => `export const ${n} = ${fail};`).join('\n');
      return { contents: `${body}\nexport default { ${names.join(', ')} };\n`, loader: 'js' };
    });
  },
};

const examples: Plugin = {
  name: 'playground-examples',
  setup(b) {
    b.onResolve({ filter: /^virtual:playground-examples$/ }, () => ({ path: 'examples', namespace: 'playground' }));
    b.onLoad({ filter: /.*/, namespace: 'playground' }, async () => ({ contents: `export default ${JSON.stringify(packExamples(await collectExamples(root)))};`, loader: 'js' }));
  },
};

async function main(): Promise<void> {
  const started = Date.now();
  // Chunk names carry content hashes: start empty so old chunks don't pile up.
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const browser = path.join(root, 'src/playground/browser');
  const result = await build({
    entryPoints: { app: path.join(browser, 'main.ts'), engine: path.join(browser, 'engine-entry.ts') },
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'linked',
    inject: [path.join(browser, 'buffer-shim.ts')],
    plugins: [nodeStubs, examples],
    metafile: true,
    logLevel: 'warning',
  });
  for (const asset of ['index.html', 'app.css']) await writeFile(path.join(out, asset), await readFile(path.join(browser, asset)));
  const sizes = await Promise.all(Object.keys(result.metafile.outputs).map(async (f) => (await stat(path.join(root, f)).catch(() => stat(f))).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  process.stderr.write(`playground: built ${path.relative(root, out) || out} (${(total / 1024).toFixed(0)} KiB of scripts) in ${Date.now() - started} ms\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`playground: build failed: ${errorMessage(err)}\n`);
  process.exitCode = 1;
});
