import { isOperationName, operationSpec } from './operations.js';
import type { OperationName } from './operations.js';

export const FAULT_KINDS = [
  'tryagain',
  'dropReply',
  'dropRequest',
  'http500',
  'systemError',
  'expireTicket',
  'latency',
  'slow',
  'corrupt',
  'malformedGrant',
  'diskFull',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  readonly op: OperationName | '*';
  readonly kind: FaultKind;
  /** 1-based numbers of the calls (of the operations the rule applies to) that fail, counted from when the rule was added. */
  readonly at?: readonly number[];
  /** Chance (0..1, seeded random source) that a call fails. Without `at` and `probability`, every call fails. */
  readonly probability?: number;
  /**
   * Required for `latency`: how long the reply of the processed call is held back (what the call
   * holds stays held); for `slow`, how long the call is held before it is processed (a finalize
   * whose handler is consumed only when it ends).
   */
  readonly latencyMs?: number;
  /** Upper bound on the injections of this rule. */
  readonly times?: number;
}

export interface InjectedFault {
  readonly op: OperationName;
  readonly kind: FaultKind;
  /** The call's number among all calls of `op` since the emulator started. */
  readonly call: number;
}

export interface FaultController {
  add(rule: FaultRule): void;
  /** Removes every rule; the log of injected faults is kept. */
  clear(): void;
  injected(): InjectedFault[];
}

export interface FaultPlan {
  readonly kinds: ReadonlySet<FaultKind>;
  /** Held after the call is processed. */
  readonly latencyMs: number;
  /** Held before the call is processed. */
  readonly slowMs: number;
}

/** Kinds that only make sense for some operations; the others apply to every call. */
const ONLY_FOR: Partial<Record<FaultKind, readonly OperationName[]>> = {
  tryagain: ['UploadFileChunk'],
  corrupt: ['UploadFileChunk', 'DownloadFileChunk'],
  malformedGrant: ['CreateUploadHandler', 'GetDownloadHandler', 'GetDownloadHandlerByVersion'],
  diskFull: ['UploadFileChunk'],
};

function appliesTo(kind: FaultKind, op: OperationName): boolean {
  if (kind === 'expireTicket') return operationSpec(op).ticketParam !== undefined;
  return ONLY_FOR[kind]?.includes(op) ?? true;
}

const isPositiveInteger = (n: number): boolean => Number.isInteger(n) && n > 0;

/** What is wrong with a rule (an unknown operation or kind, a kind that does not apply to the operation, …), or undefined. */
export function faultRuleProblem(rule: FaultRule): string | undefined {
  if (rule.op !== '*' && !isOperationName(rule.op)) return `unknown operation "${rule.op}"`;
  if (!(FAULT_KINDS as readonly string[]).includes(rule.kind)) return `unknown fault kind "${rule.kind}"`;
  if (rule.op !== '*' && !appliesTo(rule.kind, rule.op)) return `${rule.kind} does not apply to ${rule.op}`;
  if (rule.at !== undefined && rule.probability !== undefined) return 'give either at or probability, not both';
  if (rule.at !== undefined && (rule.at.length === 0 || !rule.at.every(isPositiveInteger))) {
    return 'at must list 1-based call numbers';
  }
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
    return 'probability must be between 0 and 1';
  }
  if (rule.times !== undefined && !isPositiveInteger(rule.times)) return 'times must be a positive integer';
  if ((rule.kind === 'latency' || rule.kind === 'slow') && !(rule.latencyMs !== undefined && rule.latencyMs >= 0)) {
    return `${rule.kind} needs latencyMs >= 0`;
  }
  return undefined;
}

/** mulberry32: small, fast and reproducible from a seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface ActiveRule {
  readonly rule: FaultRule;
  calls: number;
  injections: number;
}

export class FaultInjector implements FaultController {
  #rules: ActiveRule[] = [];
  readonly #log: InjectedFault[] = [];
  readonly #calls = new Map<OperationName, number>();
  readonly #random: () => number;

  constructor(rules: readonly FaultRule[], seed: number) {
    this.#random = seededRandom(seed);
    rules.forEach((rule) => this.add(rule));
  }

  add(rule: FaultRule): void {
    const problem = faultRuleProblem(rule);
    if (problem !== undefined) throw new TypeError(`invalid fault rule: ${problem}`);
    this.#rules.push({ rule: { ...rule }, calls: 0, injections: 0 });
  }

  clear(): void {
    this.#rules = [];
  }

  injected(): InjectedFault[] {
    return [...this.#log];
  }

  /** Counts one call of `op` and decides which faults it gets. */
  plan(op: OperationName): FaultPlan {
    const call = (this.#calls.get(op) ?? 0) + 1;
    this.#calls.set(op, call);
    const kinds = new Set<FaultKind>();
    let latencyMs = 0;
    let slowMs = 0;
    for (const active of this.#rules) {
      if (!this.#fires(active, op)) continue;
      active.injections += 1;
      kinds.add(active.rule.kind);
      if (active.rule.kind === 'slow') slowMs += active.rule.latencyMs ?? 0;
      else latencyMs += active.rule.latencyMs ?? 0;
      this.#log.push({ op, kind: active.rule.kind, call });
    }
    return { kinds, latencyMs, slowMs };
  }

  #fires(active: ActiveRule, op: OperationName): boolean {
    const { rule } = active;
    if ((rule.op !== '*' && rule.op !== op) || !appliesTo(rule.kind, op)) return false;
    active.calls += 1;
    if (rule.times !== undefined && active.injections >= rule.times) return false;
    if (rule.at !== undefined) return rule.at.includes(active.calls);
    return rule.probability === undefined || this.#random() < rule.probability;
  }
}
