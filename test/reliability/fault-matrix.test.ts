// The fault matrix: hundreds of uploads and downloads against the emulator, each with seeded random
// faults of every kind at random calls of its chunk, handler, finalizer, lookup and login operations,
// over SOAP 1.1 and 1.2, against servers with and without `filehexcrc`. Every transfer ends in the
// source's bytes or a typed error; no document differs from its source, no handler is left, no
// partial file stays at a destination. FAULT_MATRIX_SEED replays or varies a run.
import { fileURLToPath } from 'node:url';
import { FAULT_KINDS } from '../../src/emulator/index.js';
import { nextCase } from './cases.js';
import { formatFigures, tally, writeFigures } from './figures.js';
import { openLane, type LaneSpec } from './lane.js';
import { runCase, type Outcome } from './run-case.js';
import { seededRandom } from './seeded-random.js';

const SEED = Number(process.env['FAULT_MATRIX_SEED'] ?? 20_260_101);
const TRANSFERS_PER_LANE = 140;
const LANES: readonly LaneSpec[] = [
  { name: 'soap11-filehexcrc', soapVersion: '1.1', fileHexCrc: true },
  { name: 'soap12-filehexcrc', soapVersion: '1.2', fileHexCrc: true },
  { name: 'soap11-no-filehexcrc', soapVersion: '1.1', fileHexCrc: false },
  { name: 'soap12-no-filehexcrc', soapVersion: '1.2', fileHexCrc: false },
];
const RESULTS = fileURLToPath(new URL('../../bench-results/fault-matrix.json', import.meta.url));

/** One lane's transfers, one after another, from its own seeded random source. */
async function runLane(spec: LaneSpec, index: number): Promise<Outcome[]> {
  const random = seededRandom(SEED + index);
  const lane = await openLane(spec, random);
  const outcomes: Outcome[] = [];
  try {
    for (let n = 0; n < TRANSFERS_PER_LANE; n += 1) {
      // A corrupted append is only detectable where the server reports filehexcrc (contract C6).
      const transfer = nextCase(random, lane.fileHexCrc);
      const bytes = random.bytes(transfer.size);
      outcomes.push(await runCase(lane, transfer, bytes, `${lane.name}-${n}.bin`));
    }
  } finally {
    await lane.close();
  }
  return outcomes;
}

test('the fault matrix: typed errors or identical bytes, nothing corrupt, leaked or partial', async () => {
  const outcomes = (await Promise.all(LANES.map(runLane))).flat();
  const figures = tally(outcomes, SEED, LANES.map((lane) => lane.name), FAULT_KINDS);
  console.log(formatFigures(figures));
  await writeFigures(RESULTS, figures);

  expect(figures.transfers).toBeGreaterThanOrEqual(500);
  const untyped = outcomes.flatMap(({ failure }) => (failure === undefined || failure.typed ? [] : [`${failure.name}: ${failure.message}`]));
  expect(untyped).toEqual([]);
  expect({
    corruptDocuments: figures.corruptDocuments,
    missingDocuments: figures.missingDocuments,
    duplicateVersions: figures.duplicateVersions,
    handlersLeft: figures.handlersLeft,
    handlersUnexplained: figures.handlersUnexplained,
    partialFiles: figures.partialFiles,
  }).toEqual({ corruptDocuments: 0, missingDocuments: 0, duplicateVersions: 0, handlersLeft: 0, handlersUnexplained: 0, partialFiles: 0 });
  for (const kind of FAULT_KINDS) expect([kind, (figures.faultsByKind[kind] ?? 0) > 0]).toEqual([kind, true]);
  for (const group of ['chunk', 'handler', 'finalizer'] as const) expect([group, figures.faultsByOperation[group] > 0]).toEqual([group, true]);
  expect(figures.succeeded).toBeGreaterThan(figures.transfers / 2);
}, 300_000);
