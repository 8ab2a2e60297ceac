import { Refusal } from '../result.js';
import type { VersionDetails } from '../store/document-store.js';
import { invalidVersionComponent } from './messages.js';

export const DEFAULT_DETAILS: VersionDetails = { comment: '', label: '', published: true, parameters: {} };

export const VERSION_COMPONENT_RANGES = {
  major: { min: 1, max: 2400 },
  minor: { min: 0, max: 999 },
  revision: { min: 0, max: 999 },
} as const;

export type VersionComponent = keyof typeof VERSION_COMPONENT_RANGES;

export const inRange = (value: number, component: VersionComponent): boolean =>
  Number.isInteger(value) &&
  value >= VERSION_COMPONENT_RANGES[component].min &&
  value <= VERSION_COMPONENT_RANGES[component].max;

/** A manual version label such as `2.0.1`; refuses a component out of range, naming it as the caller did. */
export function versionLabel(components: Record<VersionComponent, { value: number; name: string }>): string {
  for (const component of Object.keys(VERSION_COMPONENT_RANGES) as VersionComponent[]) {
    const { value, name } = components[component];
    const { min, max } = VERSION_COMPONENT_RANGES[component];
    if (!inRange(value, component)) throw new Refusal(invalidVersionComponent(name, min, max));
  }
  return `${components.major.value}.${components.minor.value}.${components.revision.value}`;
}
