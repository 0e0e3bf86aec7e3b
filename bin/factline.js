#!/usr/bin/env node
// The factline command. An installed package (under node_modules) runs its compiled CLI; a
// checkout of the repository runs the TypeScript source through tsx, so that a dist/ left by an
// earlier build never runs in its place.
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, sep } from 'node:path';

const root = join(dirname(realpathSync(fileURLToPath(import.meta.url))), '..');
const built = join(root, 'dist', 'cli', 'main.js');
const source = join(root, 'src', 'cli', 'main.ts');
const checkout = !root.split(sep).includes('node_modules') && existsSync(source) && existsSync(join(root, 'node_modules', 'tsx'));
if (!checkout) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
}
