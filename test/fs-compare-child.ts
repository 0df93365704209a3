// Runs the unprivileged fs script against node:fs (the comparison test
// starts it as uid 1000) and prints its records as JSON.
import * as nodefs from 'node:fs';
import { Recorder, perms, type FsLike } from './fs-scenarios.js';

const base = process.argv[2]!;
const r = new Recorder(base);
perms(nodefs as unknown as FsLike, base, r);
process.stdout.write(JSON.stringify(r.out));
