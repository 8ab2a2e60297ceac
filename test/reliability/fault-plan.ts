// Random fault rules for one transfer: which operation of the transfer fails, how, and at which of
// its calls. Call numbers are counted from when the rule is added, so a lane that runs one transfer
// at a time aims each rule at that transfer's calls.
import { FAULT_KINDS, type FaultKind, type FaultRule, type OperationName } from '../../src/emulator/index.js';
import type { SeededRandom } from './seeded-random.js';

/** An operation a transfer makes, how many of its calls are worth aiming at, and how often to aim at it. */
export interface FaultTarget {
  readonly op: OperationName;
  readonly calls: number;
  readonly weight: number;
}

/**
 * What a transfer's faults may be. A corrupted append is planned against every server: without `filehexcrc` the
 * client finds it from DocumentExists' CRC32LASTVERSION after the finalize, and uploads again.
 */
export interface FaultScope {
  readonly targets: readonly FaultTarget[];
}

/** The operations whose replies grant a handler (malformedGrant). */
const GRANT_OPS: readonly OperationName[] = ['CreateUploadHandler', 'GetDownloadHandler', 'GetDownloadHandlerByVersion'];

/** How many rules a transfer gets, and how likely each count is. */
const RULE_COUNTS = [[0, 1], [1, 4], [2, 3], [3, 2]] as const;
/** The share of rules that fire on every call rather than at chosen calls: they drive transfers to failure. */
const PERSISTENT_SHARE = 0.04;
const MAX_LATENCY_MS = 15;

/** The kinds the emulator accepts for `op`. */
function kindsFor(op: OperationName): FaultKind[] {
  return FAULT_KINDS.filter((kind) => {
    if (kind === 'tryagain' || kind === 'diskFull') return op === 'UploadFileChunk';
    if (kind === 'malformedGrant') return GRANT_OPS.includes(op);
    if (kind === 'corrupt') return op === 'DownloadFileChunk' || op === 'UploadFileChunk';
    if (kind === 'expireTicket') return op !== 'AuthenticateUser';
    return true;
  });
}

function ruleFor(random: SeededRandom, scope: FaultScope): FaultRule {
  const target = random.weighted(scope.targets.map((t) => [t, t.weight] as const));
  const kind = random.pick(kindsFor(target.op));
  const held = kind === 'latency' || kind === 'slow';
  const latency = held ? { latencyMs: random.int(1, MAX_LATENCY_MS) } : {};
  if (!held && random.chance(PERSISTENT_SHARE)) return { op: target.op, kind };
  const first = random.int(1, target.calls);
  // Sometimes the next call fails too, so a retry meets the same fault.
  const at = random.chance(0.2) ? [first, first + 1] : [first];
  return { op: target.op, kind, at, ...latency };
}

export function planFaults(random: SeededRandom, scope: FaultScope): FaultRule[] {
  const count = random.weighted(RULE_COUNTS);
  return Array.from({ length: count }, () => ruleFor(random, scope));
}
