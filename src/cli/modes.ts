// chmod's modes: octal (0755) and symbolic (u+x,go-w,a=rX,g=u), as a function
// from a file's old mode to its new one.

/** The new mode of a file from its old mode, whether it is a directory, and the umask. */
export type ModeFn = (old: number, dir: boolean, umask: number) => number;

const WHO: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007, a: 0o7777 };

/** A mode's meaning, or undefined when it is not a valid mode. */
export function parseMode(text: string): ModeFn | undefined {
  if (/^[0-7]+$/.test(text)) {
    const v = parseInt(text, 8);
    if (v > 0o7777) return undefined;
    // As chmod: a directory's set-id bits stay unless five digits say otherwise.
    return (old, dir) => (dir && text.length < 5 ? v | (old & 0o6000) : v);
  }
  const clauses = text.split(',');
  const steps: Array<{ who: number; implied: boolean; op: string; perm: string }> = [];
  for (const c of clauses) {
    const m = /^([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)$/.exec(c);
    if (!m) return undefined;
    const who = [...m[1]!].reduce((w, ch) => w | WHO[ch]!, 0);
    for (const a of m[2]!.matchAll(/([-+=])([ugo]|[rwxXst]*)/g)) {
      steps.push({ who: who || 0o7777, implied: who === 0, op: a[1]!, perm: a[2]! });
    }
  }
  return (old, dir, umask) => {
    let mode = old & 0o7777;
    for (const s of steps) {
      let bits = 0;
      if (/^[ugo]$/.test(s.perm)) {
        const shift = s.perm === 'u' ? 6 : s.perm === 'g' ? 3 : 0;
        bits = ((mode >> shift) & 7) * 0o111;
      } else {
        for (const ch of s.perm) {
          if (ch === 'r') bits |= 0o444;
          else if (ch === 'w') bits |= 0o222;
          else if (ch === 'x') bits |= 0o111;
          else if (ch === 'X') bits |= dir || old & 0o111 ? 0o111 : 0;
          else if (ch === 's') bits |= 0o6000;
          else if (ch === 't') bits |= 0o1000;
        }
      }
      bits &= s.who;
      if (s.implied) bits &= ~umask;
      if (s.op === '+') mode |= bits;
      else if (s.op === '-') mode &= ~bits;
      else {
        const clear = s.who & (dir ? 0o1777 : 0o7777);
        mode = (mode & ~clear) | bits;
      }
    }
    return mode;
  };
}
