#!/usr/bin/env node
// The npm install step: a prebuild for this platform when the package ships
// one (see `npm run prebuild`), otherwise a build from source.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pre = join(root, 'prebuilds', `${platform()}-${arch()}`);
if (!process.env.npm_config_build_from_source && existsSync(pre) &&
    readdirSync(pre).some((f) => f.endsWith('.node'))) {
  console.log(`rumpkit: using the prebuild in ${pre}`);
} else {
  execFileSync(process.execPath, [join(root, 'scripts/build-native.mjs')], { stdio: 'inherit' });
}
