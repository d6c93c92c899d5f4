#!/usr/bin/env node
// Runs the CLI from dist/ (plain JavaScript, built by `npm install` / `npm run build`)
// while that build is newer than every file of src/ and was made in this directory;
// otherwise runs the TypeScript sources directly through tsx, so an edited checkout
// never runs stale code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function builtAndFresh() {
  let build;
  try {
    build = JSON.parse(readFileSync(join(root, 'dist/build.json'), 'utf8'));
  } catch {
    return false;
  }
  if (build.root !== root) return false;
  for (const f of readdirSync(join(root, 'src'), { recursive: true })) {
    if (statSync(join(root, 'src', String(f))).mtimeMs > build.builtAt) return false;
  }
  return true;
}

let main;
if (process.env.LASTGATE_FROM_SOURCE !== '1' && builtAndFresh()) {
  ({ main } = await import('../dist/cli.mjs'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
}
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
