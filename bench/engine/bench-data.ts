/**
 * The bench's inputs, generated in the page from a seeded PRNG so every run and every system sees
 * the same bytes: a 1M-row CSV file (~60 MB: id, a 50-value category, three floats, a date, a
 * short string) and a 10M-row Arrow IPC stream (the category dictionary-encoded, two floats).
 *
 * The Arrow table is built with apache-arrow itself, not the engine's wrapper, so the engine
 * reads a stream written by an independent producer. It is one record batch, as a producer that
 * writes a whole table at once emits it.
 */
// eslint-disable-next-line no-restricted-imports -- an independent producer of the bench's input, never engine code
import {
  Dictionary,
  Int32,
  Table,
  Utf8,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';

/** The 50 category values, `cat_00` … `cat_49`. */
export const CATEGORIES: readonly string[] = Array.from(
  { length: 50 },
  (_, index) => `cat_${String(index).padStart(2, '0')}`,
);

/**
 * A seeded PRNG (mulberry32): numbers in [0, 1), the same sequence for the same seed.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // 0.6011037519201636, on every machine
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2000, 0, 1);
const DAY_SPAN = 9_000;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const ROWS_PER_PART = 20_000;

/** Roughly normal around 0 with a spread of about 100: the sum of three uniforms, recentred. */
function bell(random: () => number): number {
  return (random() + random() + random() - 1.5) * 200;
}

/**
 * The CSV file: `id,cat,a,b,c,day,label`, with `b` uniform in [0, 1) (the filter column).
 *
 * @example
 * const file = benchCsv(1_000_000); // ~60 MB, the same bytes on every run
 */
export function benchCsv(rows: number, seed = 20240531): File {
  const random = seededRandom(seed);
  const days = Array.from({ length: DAY_SPAN }, (_, day) =>
    new Date(FIRST_DAY + day * DAY_MS).toISOString().slice(0, 10),
  );
  const parts: string[] = ['id,cat,a,b,c,day,label\n'];
  for (let start = 0; start < rows; start += ROWS_PER_PART) {
    const lines: string[] = [];
    const end = Math.min(rows, start + ROWS_PER_PART);
    for (let row = start; row < end; row++) {
      const cat = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
      const a = bell(random).toFixed(3);
      const b = random().toFixed(6);
      const c = (random() * 10_000).toFixed(2);
      const day = days[Math.floor(random() * DAY_SPAN)];
      let label = '';
      const labelLength = 4 + Math.floor(random() * 7);
      for (let letter = 0; letter < labelLength; letter++) {
        label += LETTERS[Math.floor(random() * LETTERS.length)];
      }
      lines.push(`${row + 1},${cat},${a},${b},${c},${day},${label}\n`);
    }
    parts.push(lines.join(''));
  }
  return new File(parts, 'bench.csv', { type: 'text/csv' });
}

/**
 * The big table as an Arrow IPC stream: `cat` (dictionary of `CATEGORIES`, int32 codes), `a`
 * (float64, roughly normal) and `b` (float64, uniform in [0, 1)).
 *
 * @example
 * const ipc = benchArrowIpc(10_000_000); // ~200 MB
 */
export function benchArrowIpc(rows: number, seed = 20240601): Uint8Array {
  const random = seededRandom(seed);
  const codes = new Int32Array(rows);
  const a = new Float64Array(rows);
  const b = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    codes[row] = Math.floor(random() * CATEGORIES.length);
    a[row] = bell(random);
    b[row] = random();
  }
  const cat = makeData({
    type: new Dictionary(new Utf8(), new Int32()),
    length: rows,
    nullCount: 0,
    data: codes,
    dictionary: vectorFromArray([...CATEGORIES], new Utf8()),
  });
  const table = new Table({ cat: makeVector(cat), a: makeVector(a), b: makeVector(b) });
  return tableToIPC(table, 'stream');
}
