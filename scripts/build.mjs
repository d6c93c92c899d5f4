// `npm run build` (also run by `npm install` as `prepare`): bundles the CLI into
// dist/ as plain JavaScript, so `npx lastgate …` starts without compiling
// TypeScript at run time. Packages stay external (native addons, models, data
// files load from node_modules as they do from src). Each `import.meta.url` is
// replaced by its source file's URL, so paths computed from it (rules/,
// models/, drizzle/, workers/) are exactly what they are when src runs.
// bin/lastgate.mjs uses dist/ only while it is newer than every file of src/
// and was built in this directory; otherwise it runs src through tsx.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// tsx (a dependency) brings esbuild; resolve it from there rather than add a second copy.
const requireFromTsx = createRequire(createRequire(join(root, 'package.json')).resolve('tsx/package.json'));
const esbuild = requireFromTsx('esbuild');

// `--out DIR` builds elsewhere (the test does); bin/lastgate.mjs only ever runs <repo>/dist.
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(root, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const sourceUrl = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.tsx?$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents: text, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const BUNDLED = new Set(['zod', 'yaml', 'opencc-js', 'diff']);

const started = Date.now();
await esbuild.build({
  entryPoints: { cli: join(root, 'src/cli.ts') },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages stay external, except the pure-JavaScript ones every command loads (validation, pack files,
  // traditional-to-simplified tables, diffs): bundled, they cost one module instead of two hundred files
  // to resolve and link at each start.
  external: Object.keys(pkg.dependencies).filter((d) => !BUNDLED.has(d)).flatMap((d) => [d, `${d}/*`]),
  // Bundled CommonJS (yaml) requires Node built-ins; ES modules have no \`require\` of their own.
  banner: { js: "import { createRequire as __lastgateRequire } from 'node:module'; const require = __lastgateRequire(import.meta.url);" },
  sourcemap: 'linked',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'hono/jsx',
  logLevel: 'warning',
  plugins: [sourceUrl],
});

let newest = 0;
for (const f of readdirSync(join(root, 'src'), { recursive: true })) {
  const m = statSync(join(root, 'src', String(f))).mtimeMs;
  if (m > newest) newest = m;
}
writeFileSync(join(out, 'build.json'), `${JSON.stringify({ root, builtAt: started, newestSource: newest })}\n`);
console.log(`lastgate: built ${join(out, 'cli.mjs')} in ${Date.now() - started} ms`);
