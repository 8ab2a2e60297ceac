/** The `corrupt` fault: the same bytes with the first one inverted (the caller's buffers are left alone). */
export function flipOneByte(parts: readonly Buffer[]): Buffer[] {
  const index = parts.findIndex((part) => part.length > 0);
  const first = parts[index];
  if (first === undefined) return [...parts];
  const flipped = Buffer.from(first);
  flipped[0] = (flipped[0] ?? 0) ^ 0xff;
  return parts.map((part, i) => (i === index ? flipped : part));
}
