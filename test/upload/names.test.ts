// The service's name rule: case and Unicode normalization make no difference, so paths that differ
// only so are one document or folder to it.
import { nameClashes, serviceNameKey } from '../../src/index.js';

test('serviceNameKey folds case and composes accents', () => {
  expect(serviceNameKey('Cafe\u0301 REPORT.txt')).toBe(serviceNameKey('caf\u00e9 report.TXT'));
  expect(serviceNameKey('report-1.txt')).not.toBe(serviceNameKey('report-2.txt'));
});

test.each([
  ['case', ['a/Report.txt', 'a/report.txt', 'b/Report.txt'], [['a/Report.txt', 'a/report.txt']]],
  ['normalization', ['Caf\u00e9.txt', 'Cafe\u0301.txt'], [['Caf\u00e9.txt', 'Cafe\u0301.txt']]],
  ['folders, named once at the level where they clash', ['Sub/a', 'sub/b', 'sub/c'], [['Sub', 'sub']]],
  ['backslashes as separators', ['A\\x', 'a\\y'], [['A', 'a']]],
  ['the same path twice', ['a/b', 'a/b'], []],
])('nameClashes: %s', (_, paths, clashes) => {
  expect(nameClashes(paths)).toEqual(clashes);
});
