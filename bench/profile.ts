import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

/**
 * A CPU profile of this process (node:inspector) around one measured run, for
 * `BENCH_PROFILE=<file.cpuprofile>`: the servers run in this process, the load
 * generator in a child, so the profile is the server's work. Prints the top
 * self-time functions and the share per package.
 */
export async function profiled<T>(file: string | undefined, run: () => Promise<T>): Promise<T> {
  if (!file) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    const { profile: heap } = await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    await writeFile(file, JSON.stringify(profile));
    await writeFile(file.replace(/\.cpuprofile$/, '') + '.heapprofile', JSON.stringify(heap));
    process.stderr.write(summarize(profile as Profile));
    process.stderr.write(summarizeHeap(heap.head as HeapNode));
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Where a frame's code lives: a package, our src, node itself, or V8 (GC, idle). */
function origin(url: string, fn: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/src/')) return 'src/' + url.split('/src/')[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  return url ? url : `(${fn || 'native'})`;
}

export function summarize(profile: Profile, top = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === '(idle)') continue;
    total++;
    const { functionName, url, lineNumber } = n.callFrame;
    const where = origin(url, functionName);
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      const o = origin(f.url, f.functionName);
      seen.add(o.startsWith('src/') ? `${f.functionName} ${o}` : o);
    }
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + 1);
    byOrigin.set(
      where.startsWith('src/') ? 'src' : where,
      (byOrigin.get(where.startsWith('src/') ? 'src' : where) ?? 0) + 1,
    );
  }
  const pct = (k: number) => ((100 * k) / Math.max(1, total)).toFixed(1).padStart(5) + ' %';
  const rows = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${pct(v)}  ${k}`);
  return [
    `profile: ${total} busy samples`,
    'self time by package:',
    ...rows(byOrigin, 25),
    'inclusive (package, or src function):',
    ...rows(inclusive, 40),
    'self time by function:',
    ...rows(self, top),
    '',
  ].join('\n');
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** Where the sampled allocations happened (bytes allocated, not retained): by package, and by function. */
export function summarizeHeap(head: HeapNode, top = 25): string {
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = origin(url, functionName);
    total += n.selfSize;
    byOrigin.set(where, (byOrigin.get(where) ?? 0) + n.selfSize);
    const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + n.selfSize);
    n.children.forEach(walk);
  };
  walk(head);
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `  ${((100 * v) / Math.max(1, total)).toFixed(1).padStart(5)} %  ${k}`);
  return [
    `allocations sampled: ${(total / 1e6).toFixed(0)} MB`,
    'by package:',
    ...rows(byOrigin),
    'by function:',
    ...rows(byFunction),
    '',
  ].join('\n');
}
