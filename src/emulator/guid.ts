import { randomUUID } from 'node:crypto';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The canonical (lower-case) form of a GUID string, or undefined when it is not one. Only this form names files. */
export function canonicalGuid(text: string): string | undefined {
  const trimmed = text.trim();
  return GUID.test(trimmed) ? trimmed.toLowerCase() : undefined;
}

export const newGuid = (): string => randomUUID();
