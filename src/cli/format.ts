// Human-readable sizes and rates.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function bytes(count: number): string {
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** MiB per second, in the units of bytes(). */
export function rate(count: number, ms: number): string {
  return ms > 0 ? `${(count / 1_048_576 / (ms / 1000)).toFixed(1)} MiB/s` : '– MiB/s';
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
