const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2026-03-20T14:35:00Z`: UTC, whole seconds, as the documentation prints `expireOn`. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Server local time without an offset, as ServerInfo's `Server_date_time`. */
export function localDateTime(date: Date): string {
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `yyyy-MM-dd` in UTC. */
export const utcDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
