// A progress bar on stderr for copies that take more than a second (made only
// when stderr is a terminal).
import { writeSync } from 'node:fs';
import { human } from './common.js';

export class Progress {
  #done = 0;
  #start = Date.now();
  #last = 0;
  #shown = false;
  constructor(readonly total: number) {}

  add(n: number): void {
    this.#done += n;
    const now = Date.now();
    if (now - this.#start < 1000 || now - this.#last < 100) return;
    this.#last = now;
    const cols = Math.max(20, (process.stderr.columns || 80) - 40);
    const frac = this.total > 0 ? Math.min(1, this.#done / this.total) : 0;
    const filled = Math.round(frac * cols);
    const rate = this.#done / ((now - this.#start) / 1000);
    const line = `[${'#'.repeat(filled)}${' '.repeat(cols - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}% ` +
      `${human(this.#done)}/${human(this.total)} ${human(Math.round(rate))}/s`;
    writeSync(2, `\r${line}\x1b[K`);
    this.#shown = true;
  }

  done(): void {
    if (this.#shown) writeSync(2, '\r\x1b[K');
    this.#shown = false;
  }
}
