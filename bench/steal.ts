import { readFileSync } from 'node:fs';

/**
 * CPU time the hypervisor gave to other guests while this machine's CPUs wanted it ("steal", from /proc/stat):
 * on a shared host it moves every number of a run, floors included. Rounds are interleaved (floor, API, floor…),
 * so a ratio holds up better than a time, but a round with much steal is worth distrusting. Linux only; elsewhere
 * the sample is null and the share reads "–".
 */
export interface CpuTicks {
  steal: number;
  total: number;
}

export function cpuTicks(): CpuTicks | null {
  if (process.platform !== 'linux') return null;
  try {
    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice": guest time is inside user already.
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { steal: fields[7], total: fields.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** The share of the machine's CPU time stolen between two samples, in %; NaN when unknown. */
export function stolenPercent(before: CpuTicks | null, after: CpuTicks | null = cpuTicks()): number {
  if (!before || !after || after.total <= before.total) return NaN;
  return (100 * (after.steal - before.steal)) / (after.total - before.total);
}

/** For a table: "1.2 %", or "–" when unknown. */
export const percentText = (p: number): string => (Number.isFinite(p) ? `${p.toFixed(1)} %` : '–');
