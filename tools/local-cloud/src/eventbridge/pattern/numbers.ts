// EventBridge compares numbers as fixed-point values: at most 6 digits after the decimal point,
// within -5.0e9..+5.0e9 inclusive (the documented numeric-matching limits, as implemented by
// aws/event-ruler's ComparableNumber). We scale by 1e6 into an integer that stays below 2^53.

export const NUMERIC_LIMIT = 5e9;

/** A number scaled to millionths, plus whether the scaling dropped digits. */
export interface Micros {
  readonly micros: number;
  readonly exact: boolean;
}

/**
 * Scales `value` to an integer count of millionths, truncating further digits (event-ruler ignores
 * digits after the sixth decimal). Returns undefined outside the comparable range.
 */
export function toMicros(value: number): Micros | undefined {
  if (!Number.isFinite(value) || Math.abs(value) > NUMERIC_LIMIT) return undefined;
  // The shortest round-trip decimal form avoids binary noise (4.35 * 1e6 is 4349999.999...).
  const text = Math.abs(value).toString();
  const parts = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (!parts) return undefined;
  const digits = (parts[1] ?? '') + (parts[2] ?? '');
  const point = (parts[1] ?? '').length + Number(parts[3] ?? 0);
  let whole: string;
  let fraction: string;
  if (point <= 0) {
    whole = '0';
    fraction = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    whole = digits + '0'.repeat(point - digits.length);
    fraction = '';
  } else {
    whole = digits.slice(0, point);
    fraction = digits.slice(point);
  }
  fraction = fraction.replace(/0+$/, '');
  const scaled = Number(whole) * 1e6 + Number((fraction + '000000').slice(0, 6));
  return { micros: value < 0 && scaled !== 0 ? -scaled : scaled, exact: fraction.length <= 6 };
}

/** Formats a limit the way the AWS (Java) error messages print doubles, e.g. `5.0E9`. */
export function formatLimit(value: number): string {
  return `${value < 0 ? '-' : ''}${Math.abs(value) / 1e9}.0E9`;
}
