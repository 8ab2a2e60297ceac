import { FAULT_KINDS, faultRuleProblem } from './faults.js';
import type { FaultKind, FaultRule } from './faults.js';
import type { OperationName } from './operations.js';

export const FAULT_SPEC_HELP = `Fault rules, comma-separated: OP[@WHEN]:KIND[=MS]
  OP    an operation name, or * for every operation
  WHEN  N or N+M+... (the Nth calls, counted per rule), or pN (probability, e.g. p0.05),
        optionally followed by xT (at most T injections); omitted: every call
  KIND  ${FAULT_KINDS.slice(0, 6).join(', ')},
        ${FAULT_KINDS.slice(6).join(', ')}
  =MS   latency: how long a processed call's reply is held back;
        slow: how long a call is held before it is processed
  e.g.  UploadFileChunk@3:dropReply,DownloadFileChunk@p0.05:corrupt,*@p0.01x2:http500,*:latency=50`;

const RULE = /^(?<op>\*|[A-Za-z0-9]+)(?:@(?<when>[^:]+))?:(?<kind>[A-Za-z0-9]+)(?:=(?<ms>\d+))?$/;
const WHEN = /^(?:(?<at>\d+(?:\+\d+)*)|p(?<probability>\d*\.?\d+))(?:x(?<times>\d+))?$/;

function parseWhen(when: string | undefined, text: string): Pick<FaultRule, 'at' | 'probability' | 'times'> {
  if (when === undefined) return {};
  const groups = WHEN.exec(when)?.groups;
  if (groups === undefined) throw new TypeError(`invalid fault rule "${text}": cannot read "@${when}"`);
  return {
    ...(groups.at !== undefined && { at: groups.at.split('+').map(Number) }),
    ...(groups.probability !== undefined && { probability: Number(groups.probability) }),
    ...(groups.times !== undefined && { times: Number(groups.times) }),
  };
}

function parseRule(text: string): FaultRule {
  const groups = RULE.exec(text)?.groups;
  if (groups?.op === undefined || groups.kind === undefined) {
    throw new TypeError(`invalid fault rule "${text}": expected OP[@WHEN]:KIND[=MS]`);
  }
  const rule: FaultRule = {
    op: groups.op as OperationName | '*',
    kind: groups.kind as FaultKind,
    ...parseWhen(groups.when, text),
    ...(groups.ms !== undefined && { latencyMs: Number(groups.ms) }),
  };
  const problem = faultRuleProblem(rule);
  if (problem !== undefined) throw new TypeError(`invalid fault rule "${text}": ${problem}`);
  return rule;
}

/** Reads the `--faults` syntax (see FAULT_SPEC_HELP) into rules the emulator accepts; TypeError names a rule it would not. */
export function parseFaultSpec(spec: string): FaultRule[] {
  return spec
    .split(',')
    .map((rule) => rule.trim())
    .filter((rule) => rule !== '')
    .map(parseRule);
}
