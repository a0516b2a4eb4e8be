/**
 * Writing a cron field's set of values back as text, compactly: `*` for every value, a step from the
 * first value (`*\/15` in cron, `00/15` in systemd), else a list of values and runs.
 */

export interface FieldStyle {
  /** How a run of consecutive values is written: `a-b` (cron) or `a..b` (systemd). */
  range: string;
  /** A step from `min`: cron writes `*\/k`, systemd `MIN/k`; null: write the values out. */
  step: ((first: string, k: number) => string) | null;
  /** Zero-padding width (systemd writes 03:00:00). */
  pad: number;
}

export const CRON_STYLE: FieldStyle = { range: '-', step: (_first, k) => `*/${k}`, pad: 0 };
export const SYSTEMD_STYLE: FieldStyle = { range: '..', step: (first, k) => `${first}/${k}`, pad: 2 };

/** `values` sorted ascending, without repeats, within [min, max]. */
export function fieldText(values: readonly number[], min: number, max: number, style: FieldStyle, name: (v: number) => string = String): string {
  const text = (v: number) => name(v).padStart(style.pad, '0');
  if (values.length === max - min + 1) return '*';
  const step = style.step ? stepOf(values, min, max) : null;
  if (style.step && step !== null) return style.step(text(min), step);
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === (values[j] as number) + 1) j++;
    const a = values[i] as number;
    const b = values[j] as number;
    if (j - i >= 2) parts.push(`${text(a)}${style.range}${text(b)}`);
    else for (let k = i; k <= j; k++) parts.push(text(values[k] as number));
    i = j + 1;
  }
  return parts.join(',');
}

/** k when values are exactly min, min+k, min+2k ... up to max (k > 1, at least three values). */
function stepOf(values: readonly number[], min: number, max: number): number | null {
  if (values.length < 3 || values[0] !== min) return null;
  const k = (values[1] as number) - min;
  if (k < 2) return null;
  for (let i = 0; i < values.length; i++) if (values[i] !== min + i * k) return null;
  return (values[values.length - 1] as number) + k > max ? k : null;
}
