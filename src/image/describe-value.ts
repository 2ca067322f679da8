/**
 * A value as an error message should show it: what the caller passed, not what String() makes of
 * it (`[1]` would read "1", `{}` "[object Object]", `"3"` like the number 3).
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      break;
  }
  if (Array.isArray(value)) return `an array ${shortJson(value)}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.byteLength} bytes`;
  return `an object ${shortJson(value)}`;
}

function shortJson(value: object): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? '';
  } catch {
    text = '(not serialisable)';
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
