/**
 * An editor field as a number, read one way by every node. The editor saves what was typed (text),
 * and a flow written by hand or imported may leave a field out or blank: both mean the default.
 * Text that is not a number comes back as NaN, for the caller to refuse naming its field and what
 * is valid there.
 */
export function numberOrDefault(value: number | string | null | undefined, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number') return value;
  const text = value.trim();
  return text === '' ? fallback : Number(text);
}
