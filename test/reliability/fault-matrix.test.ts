// The fault matrix: hundreds of uploads and downloads against the emulator, each with seeded random
// faults of every kind at random calls of its chunk, handler, finalizer, lookup and login operations,
// over SOAP 1.1, SOAP 1.2 and HTTP POST, against servers with and without `filehexcrc`, of every server profile
// (documented, minimal, classic-asmx, aspnetcore; SRV_TEST_PROFILES narrows them). Corrupted appends hit servers
// without `filehexcrc` too (the client checks the stored CRC-32 and uploads again), grants come
// malformed, the disk fills up mid-append, and some source files are rewritten or appended to while
// they are uploaded. Every transfer ends in the source's bytes or a typed error; no document differs
// from its source (a version the client found corrupt and superseded is counted apart), none is a
// mix of two versions of a torn source, no handler is left, no partial file stays at a destination.
// FAULT_MATRIX_SEED replays or varies a run.
import { fileURLToPath } from 'node:url';
import { FAULT_KINDS, type ProfileName } from '../../src/emulator/index.js';
import { PROFILES } from '../helpers/profiles.js';
import { CHUNK, nextCase, type TransferCase } from './cases.js';
import { formatFigures, tally, writeFigures } from './figures.js';
import { openLane, type LaneBinding, type LaneSpec } from './lane.js';
import { runCase, type Outcome } from './run-case.js';
import { seededRandom } from './seeded-random.js';

const SEED = Number(process.env['FAULT_MATRIX_SEED'] ?? 20_260_101);
function lane(profile: ProfileName, binding: LaneBinding, fileHexCrc: boolean, front: LaneSpec['front'] = 'direct'): LaneSpec {
  const crc = profile === 'minimal' ? '' : fileHexCrc ? '-filehexcrc' : '-no-filehexcrc';
  return { name: `${profile}-${binding}${crc}${front === 'direct' ? '' : `-${front}-front`}`, profile, binding, fileHexCrc, front };
}

/**
 * Every binding but HTTP GET (whose transfers go by POST but for a delete), with and without `filehexcrc` (a `minimal`
 * server never sends it), and per profile a lane behind a hostile front: sticky by cookie, gzipped, its idle connections closed at once.
 */
const LANES: readonly LaneSpec[] = PROFILES.flatMap((profile) => [
  ...(['soap11', 'soap12', 'http-post'] as const).flatMap((binding) =>
    profile === 'minimal' ? [lane(profile, binding, false)] : [lane(profile, binding, true), lane(profile, binding, false)],
  ),
  // Sticky sessions by cookie, gzipped replies and the keep-alive race, for every profile.
  lane(profile, profile === 'classic-asmx' ? 'soap11' : 'http-post', false, 'hostile'),
]);
/** About 1050 transfers in all (42 per lane with every profile), so the matrix stays near a minute on 2 cores. */
const TRANSFERS_PER_LANE = Math.ceil(1050 / LANES.length);
const RESULTS = fileURLToPath(new URL('../../bench-results/fault-matrix.json', import.meta.url));

/** An outcome with the transfer it came from, so that a broken invariant names the lane, the case and its faults. */
interface Labelled {
  readonly label: string;
  readonly transfer: TransferCase;
  readonly outcome: Outcome;
}

/** One lane's transfers, one after another, from its own seeded random source. */
async function runLane(spec: LaneSpec, index: number): Promise<Labelled[]> {
  const random = seededRandom(SEED + index);
  const lane = await openLane(spec, random);
  const outcomes: Labelled[] = [];
  try {
    for (let n = 0; n < TRANSFERS_PER_LANE; n += 1) {
      const transfer = nextCase(random);
      const bytes = random.bytes(transfer.size);
      const tearing = () => random.bytes(CHUNK + 3);
      outcomes.push({ label: `${lane.name}-${n}`, transfer, outcome: await runCase(lane, transfer, bytes, `${lane.name}-${n}.bin`, tearing) });
    }
  } finally {
    await lane.close();
  }
  return outcomes;
}

test('the fault matrix: typed errors or identical bytes, nothing corrupt, leaked or partial', async () => {
  const labelled = (await Promise.all(LANES.map(runLane))).flat();
  const outcomes = labelled.map(({ outcome }) => outcome);
  const figures = tally(outcomes, SEED, LANES.map((lane) => lane.name), FAULT_KINDS);
  console.log(formatFigures(figures));
  await writeFigures(RESULTS, figures);

  expect(figures.transfers).toBeGreaterThanOrEqual(500);
  expect(new Set(LANES.map((spec) => spec.profile))).toEqual(new Set(PROFILES));
  expect(new Set(LANES.map((spec) => spec.binding))).toEqual(new Set(['soap11', 'soap12', 'http-post']));
  const untyped = outcomes.flatMap(({ failure }) => (failure === undefined || failure.typed ? [] : [`${failure.name}: ${failure.message}`]));
  expect(untyped).toEqual([]);
  const broken = labelled.flatMap(({ label, transfer, outcome }) => {
    const { corrupt, missing, duplicateVersions, handlersLeft, unexplainedHandlers, partialFiles } = outcome;
    const counts = { corrupt, missing, duplicateVersions, handlersLeft, unexplainedHandlers, partialFiles };
    const nonZero = Object.entries(counts).filter(([, count]) => count > 0);
    if (nonZero.length === 0) return [];
    const faults = outcome.faults.map((fault) => `${fault.op}#${fault.call}:${fault.kind}`).join(', ');
    const ending = outcome.failure === undefined ? 'succeeded' : `${outcome.failure.name}: ${outcome.failure.message}`;
    const torn = transfer.transfer === 'upload' && transfer.torn !== undefined ? ` (torn: ${transfer.torn.change} after ${transfer.torn.afterChunks}, ${transfer.torn.onSourceChange})` : '';
    const shape = transfer.transfer === 'upload' ? `from a ${transfer.source}${torn}, ${transfer.finalizing}` : `to a ${transfer.destination}${transfer.byVersion ? ', by version' : ''}`;
    return [`${label} ${transfer.transfer} of ${transfer.size} bytes ${shape} (${nonZero.map(([name, count]) => `${name} ${count}`).join(', ')}) after [${faults}]: ${ending}`];
  });
  expect(broken).toEqual([]);
  expect({
    corruptDocuments: figures.corruptDocuments,
    missingDocuments: figures.missingDocuments,
    duplicateVersions: figures.duplicateVersions,
    handlersLeft: figures.handlersLeft,
    handlersUnexplained: figures.handlersUnexplained,
    partialFiles: figures.partialFiles,
  }).toEqual({ corruptDocuments: 0, missingDocuments: 0, duplicateVersions: 0, handlersLeft: 0, handlersUnexplained: 0, partialFiles: 0 });
  for (const kind of FAULT_KINDS) expect([kind, (figures.faultsByKind[kind] ?? 0) > 0]).toEqual([kind, true]);
  // Every kind of fault hits the HTTP POST lanes too.
  const overHttp = new Set(labelled.flatMap(({ label, outcome }) => (label.includes('-http-post') ? outcome.faults.map((fault) => fault.kind) : [])));
  expect(FAULT_KINDS.filter((kind) => !overHttp.has(kind))).toEqual([]);
  // Torn sources end in SourceChangedError or the new content, and both happen.
  expect([figures.tornSources['source-changed'] > 0, figures.tornSources['stored-new'] > 0]).toEqual([true, true]);
  for (const group of ['chunk', 'handler', 'finalizer'] as const) expect([group, figures.faultsByOperation[group] > 0]).toEqual([group, true]);
  expect(figures.succeeded).toBeGreaterThan(figures.transfers / 2);
}, 300_000);
