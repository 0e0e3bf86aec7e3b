/**
 * What a handler threw, made storable and readable whatever it is: an Error (its message and
 * stack), a string, a plain object (as JSON), an object with no prototype, a value whose
 * `message` getter or `toString` throws. Control characters are replaced (PostgreSQL text cannot
 * hold U+0000) and lengths are bounded, so that storing the failure can never fail because of it.
 * Never throws.
 */
export interface DescribedError {
  readonly message: string;
  readonly stack?: string;
}

const MAX_MESSAGE = 4000;
const MAX_STACK = 16_000;

/** Replaces U+0000 and other control characters (but tab and newline), and bounds the length. */
export function cleanText(text: string, max: number): string {
  const cleaned = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => (c === '\u0000' ? '\\0' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  // Lone surrogates are not valid UTF-8: PostgreSQL refuses them.
  const wellFormed = cleaned.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  return wellFormed.length > max ? `${wellFormed.slice(0, max)}... (${wellFormed.length - max} more characters)` : wellFormed;
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined || typeof value !== 'object') {
    return attempt(() => String(value)) ?? typeof value;
  }
  const json = attempt(() => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
  const tag = attempt(() => Object.prototype.toString.call(value)) ?? '[object]';
  const plain = attempt(() => Object.getPrototypeOf(value) === Object.prototype) ?? false;
  if (json !== undefined && json !== '{}') return plain ? `thrown object ${json}` : `thrown ${tag} ${json}`;
  const own = attempt(() => Object.keys(value).join(', '));
  return own ? `thrown ${tag} with keys ${own}` : `thrown ${tag} with no readable content`;
}

export function describeError(err: unknown): DescribedError {
  let message: string;
  let stack: string | undefined;
  if (attempt(() => err instanceof Error)) {
    const e = err as Error;
    const m = attempt(() => e.message);
    const name = attempt(() => e.name);
    message = typeof m === 'string' && m.length > 0 ? m : `${typeof name === 'string' ? name : 'Error'} with no message`;
    const s = attempt(() => e.stack);
    stack = typeof s === 'string' ? s : undefined;
  } else {
    message = render(err);
  }
  return { message: cleanText(message, MAX_MESSAGE), ...(stack ? { stack: cleanText(stack, MAX_STACK) } : {}) };
}
