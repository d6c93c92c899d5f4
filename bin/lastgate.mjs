#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npm install` is all a fresh clone needs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
