import { Refusal } from '../result.js';
import type { VersionDetails } from '../store/document-store.js';
import { checkDepth, createSafeParser } from '../xml/safe-parser.js';
import { invalidParameterValue } from './messages.js';
import { DEFAULT_DETAILS, inRange, versionLabel } from './version-details.js';

interface Item {
  readonly name: string;
  readonly value: string;
}

const anything = (): boolean => true;
const isBoolean = (value: string): boolean => /^(true|false)$/i.test(value);
const isPublishOption = (value: string): boolean => /^(ServerDefault|Publish|DontPublish)$/i.test(value);
const isDate = (value: string): boolean =>
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value));
const isInteger = (value: string): boolean => /^\s*[+-]?\d+\s*$/.test(value);

/** The documented keys (UploadDocument4) and what each accepts. Other keys are ignored, as the docs are silent on them. */
const KEY_RULES: Record<string, (value: string) => boolean> = {
  TEXTONLYCONTENT: anything,
  DESCRIPTION: anything,
  KEYWORDS: anything,
  VERSIONCOMMENT: anything,
  CHECKOUT: isBoolean,
  PUBLISHOPTION: isPublishOption,
  SENDEMAILS: isBoolean,
  CREATIONDATE: isDate,
  MODIFICATIONDATE: isDate,
  MPVERSIONMAJOR: (value) => isInteger(value) && inRange(Number(value), 'major'),
  MPVERSIONMINOR: (value) => isInteger(value) && inRange(Number(value), 'minor'),
  MPVERSIONREVISION: (value) => isInteger(value) && inRange(Number(value), 'revision'),
};

/**
 * `<xmlparameters><item NAME="…" VALUE="…"/>…</xmlparameters>`: NAME is case-insensitive, and VALUE falls back to
 * the element's text.
 */
function readItems(xml: string): Item[] {
  const parser = createSafeParser();
  const items: Item[] = [];
  let depth = 0;
  let open: { name: string; value: string | undefined; text: string } | undefined;
  parser.on('opentag', (tag) => {
    depth += 1;
    checkDepth(depth);
    const local = tag.local.toLowerCase();
    if (depth === 1 && local !== 'xmlparameters') throw new Error('the root must be <xmlparameters>');
    if (depth !== 2 || local !== 'item') return;
    const attribute = (name: string) =>
      Object.values(tag.attributes).find((candidate) => candidate.local.toLowerCase() === name)?.value;
    open = { name: (attribute('name') ?? '').trim().toUpperCase(), value: attribute('value'), text: '' };
  });
  const addText = (text: string) => {
    if (open !== undefined && depth === 2) open.text += text;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    if (depth === 2 && open !== undefined) items.push({ name: open.name, value: open.value ?? open.text });
    if (depth === 2) open = undefined;
    depth -= 1;
  });
  parser.write(xml).close();
  return items;
}

function checkedItems(xml: string): Map<string, string> {
  let items: Item[];
  try {
    items = readItems(xml);
  } catch {
    throw new Refusal(invalidParameterValue('xmlParameters'));
  }
  const known = new Map<string, string>();
  for (const { name, value } of items) {
    const rule = KEY_RULES[name];
    if (rule === undefined) continue;
    if (!rule(value)) throw new Refusal(invalidParameterValue(name));
    known.set(name, value);
  }
  return known;
}

function labelOf(items: ReadonlyMap<string, string>): string {
  const component = (key: string, fallback: number) => ({ value: Number(items.get(key) ?? fallback), name: key });
  if (!['MPVERSIONMAJOR', 'MPVERSIONMINOR', 'MPVERSIONREVISION'].some((key) => items.has(key))) return '';
  return versionLabel({
    major: component('MPVERSIONMAJOR', 1),
    minor: component('MPVERSIONMINOR', 0),
    revision: component('MPVERSIONREVISION', 0),
  });
}

/** The version details an xmlParameters string asks for; '' means the server defaults. */
export function parseXmlParameters(xml: string): VersionDetails {
  if (xml.trim() === '') return DEFAULT_DETAILS;
  const items = checkedItems(xml);
  return {
    comment: items.get('VERSIONCOMMENT') ?? '',
    label: labelOf(items),
    published: items.get('PUBLISHOPTION')?.toLowerCase() !== 'dontpublish',
    parameters: Object.fromEntries(items),
  };
}
