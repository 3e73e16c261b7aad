// What the benchmarks read about their own child processes from Linux's /proc: the process tree (a `--workers`
// primary and its workers), CPU time, and memory.
import { readdirSync, readFileSync } from 'node:fs';

const USER_HZ = 100; // clock ticks per second of /proc/PID/stat on Linux

/** Parent pid and CPU seconds (user + system) of a process, or undefined once it is gone. */
function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / USER_HZ };
  } catch {
    return undefined;
  }
}

/** The live children of `pid`. */
export function childrenOf(pid) {
  const out = [];
  for (const name of readdirSync('/proc')) if (/^\d+$/.test(name) && statOf(name)?.ppid === pid) out.push(Number(name));
  return out;
}

/** CPU seconds of a process and all its live descendants. */
export function cpuSeconds(pid) {
  let total = 0;
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.pop();
    total += statOf(p)?.cpu ?? 0;
    queue.push(...childrenOf(p));
  }
  return total;
}

/** RSS, anonymous RSS and PSS of a process, in MB. */
export function memoryOf(pid) {
  const field = (text, name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const sm = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return { rss: field(st, 'VmRSS'), anon: field(st, 'RssAnon'), pss: field(sm, 'Pss') };
}
