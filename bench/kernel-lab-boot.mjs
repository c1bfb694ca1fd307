// Boots the kernel lab several times and prints boot-to-first-command time (qemu start → the command starts in the guest).
// Target: a median of 15 s or less with TCG. Usage: node bench/kernel-lab-boot.mjs [runs=5]
// Needs packages/kernel-lab built (pnpm exec tsc -b packages/kernel-lab).
import { formatLabError, runInLab } from '../packages/kernel-lab/dist/index.js';

const runs = Number(process.argv[2] ?? 5);
const targetMs = 15_000;
const boots = [];
const totals = [];
for (let index = 0; index < runs; index += 1) {
  const outcome = await runInLab({ command: ['true'], timeoutMs: 120_000 });
  if (!outcome.ok) {
    console.error(formatLabError(outcome.error));
    process.exit(1);
  }
  const { bootMs, durationMs } = outcome.value;
  if (bootMs === null) {
    console.error('kernel-lab: the command never started');
    process.exit(1);
  }
  boots.push(bootMs);
  totals.push(durationMs);
  console.log(`run ${index + 1}/${runs}: boot-to-first-command ${(bootMs / 1000).toFixed(2)} s, whole run ${(durationMs / 1000).toFixed(2)} s`);
}

const seconds = (milliseconds) => `${(milliseconds / 1000).toFixed(2)} s`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const bootMedian = median(boots);
console.log(
  `boot-to-first-command: median ${seconds(bootMedian)}, min ${seconds(Math.min(...boots))}, max ${seconds(Math.max(...boots))}` +
    ` (target ≤ ${seconds(targetMs)}: ${bootMedian <= targetMs ? 'met' : 'missed'}, ratio ${(bootMedian / targetMs).toFixed(2)})`,
);
console.log(`whole run (boot, command, power-off): median ${seconds(median(totals))}`);
