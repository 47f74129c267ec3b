/**
 * A dictionary from byte strings to codes, for text columns read as categories: each distinct
 * value's UTF-8 bytes are kept once in an arena, found again by their FNV-1a hash in an
 * open-addressing table and confirmed by comparing bytes. No field is ever decoded to a
 * JavaScript string; only the distinct values are, once, when the column is finished.
 */

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a of `bytes[start .. end)` as a signed 32-bit integer.
 *
 * @example
 * const hash = fnv1a(bytes, start, end);
 */
export function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let at = start; at < end; at++) hash = Math.imul(hash ^ bytes[at]!, FNV_PRIME);
  return hash;
}

const RECENT_SLOTS = 4096;

function recentSlot(source: Uint8Array, end: number, length: number): number {
  const lastTwo = length > 1 ? source[end - 1]! | (source[end - 2]! << 8) : source[end - 1]!;
  return (lastTwo ^ (length << 7) ^ (lastTwo >> 9)) & (RECENT_SLOTS - 1);
}

/**
 * Distinct byte strings, coded 0, 1, 2 … in order of first appearance.
 *
 * @example
 * const dictionary = new ByteDictionary();
 * const code = dictionary.codeOf(bytes, start, end, fnv1a(bytes, start, end)); // 0
 */
export class ByteDictionary {
  /** How many distinct values it holds. */
  size = 0;
  /** Value `code` is `bytes[offsets[code] .. offsets[code + 1])`. */
  offsets = new Int32Array(257);
  bytes = new Uint8Array(4096);
  private hashes = new Int32Array(256);
  /**
   * `code + 1` of a value seen lately, by its length and last two bytes (0 when none): a column
   * of categories mostly finds its value here, with one comparison and no hashing.
   */
  private readonly recent = new Int32Array(RECENT_SLOTS);
  /** Slots hold `code + 1`, 0 when empty; kept at most half full. */
  private slots = new Int32Array(1024);
  private mask = 1023;

  /**
   * The code of the value when it is the one last met with its length and last two bytes, else
   * -1 (it may still be in the dictionary: ask `find`, then `remember` it).
   *
   * @example
   * let code = dictionary.recentCode(bytes, start, end);
   */
  recentCode(source: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length === 0) return -1;
    const entry = this.recent[recentSlot(source, end, length)]!;
    if (entry === 0) return -1;
    const code = entry - 1;
    const from = this.offsets[code]!;
    if (this.offsets[code + 1]! - from !== length) return -1;
    const bytes = this.bytes;
    for (let k = 0; k < length; k++) if (bytes[from + k] !== source[start + k]) return -1;
    return code;
  }

  /**
   * Makes `code`, the code of `source[start .. end)`, the one `recentCode` finds for its slot.
   *
   * @example
   * dictionary.remember(bytes, start, end, code);
   */
  remember(source: Uint8Array, start: number, end: number, code: number): void {
    const length = end - start;
    if (length > 0) this.recent[recentSlot(source, end, length)] = code + 1;
  }

  /**
   * The code of the value, or -1 when it is not in the dictionary.
   *
   * @example
   * if (dictionary.find(bytes, start, end, hash) < 0) dictionary.add(bytes, start, end, hash);
   */
  find(source: Uint8Array, start: number, end: number, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const length = end - start;
    let slot = (hash ^ (hash >>> 15)) & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0) return -1;
      const code = entry - 1;
      if (this.hashes[code] === hash) {
        const from = this.offsets[code]!;
        if (this.offsets[code + 1]! - from === length) {
          const bytes = this.bytes;
          let k = 0;
          while (k < length && bytes[from + k] === source[start + k]) k++;
          if (k === length) return code;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Adds a value known to be absent (see `find`) and returns its code.
   *
   * @example
   * const code = dictionary.add(bytes, start, end, hash);
   */
  add(source: Uint8Array, start: number, end: number, hash: number): number {
    const code = this.size;
    if (code >= this.hashes.length) this.growEntries();
    const from = this.offsets[code]!;
    const length = end - start;
    if (from + length > this.bytes.length) this.growBytes(from + length);
    const bytes = this.bytes;
    if (length > 32) bytes.set(source.subarray(start, end), from);
    else for (let k = 0; k < length; k++) bytes[from + k] = source[start + k]!;
    this.offsets[code + 1] = from + length;
    this.hashes[code] = hash;
    this.size = code + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    else this.place(code, hash);
    return code;
  }

  /**
   * The code of the value, adding it when new.
   *
   * @example
   * codes[row] = dictionary.codeOf(bytes, start, end, fnv1a(bytes, start, end));
   */
  codeOf(source: Uint8Array, start: number, end: number, hash: number): number {
    const code = this.find(source, start, end, hash);
    return code >= 0 ? code : this.add(source, start, end, hash);
  }

  /** Byte length of value `code`. */
  lengthOf(code: number): number {
    return this.offsets[code + 1]! - this.offsets[code]!;
  }

  /**
   * Every value as a string, in code order: once per distinct value, when a column is finished.
   *
   * @example
   * const dictionary = bytesDictionary.strings();
   */
  strings(): string[] {
    const decoder = new TextDecoder();
    const out = new Array<string>(this.size);
    for (let code = 0; code < this.size; code++) {
      out[code] = decoder.decode(this.bytes.subarray(this.offsets[code]!, this.offsets[code + 1]!));
    }
    return out;
  }

  private place(code: number, hash: number): void {
    const mask = this.mask;
    let slot = (hash ^ (hash >>> 15)) & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = code + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let code = 0; code < this.size; code++) this.place(code, this.hashes[code]!);
  }

  private growEntries(): void {
    const hashes = new Int32Array(this.hashes.length * 2);
    const offsets = new Int32Array(hashes.length + 1);
    offsets.set(this.offsets);
    this.offsets = offsets;
    hashes.set(this.hashes);
    this.hashes = hashes;
  }

  private growBytes(needed: number): void {
    if (needed > 2_147_483_647) {
      throw new RangeError('A text column may hold at most 2 GiB of text.');
    }
    const bytes = new Uint8Array(Math.min(2_147_483_647, Math.max(needed, this.bytes.length * 2)));
    bytes.set(this.bytes);
    this.bytes = bytes;
  }
}
