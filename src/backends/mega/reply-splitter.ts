/**
 * Takes one large array out of an API reply while the reply arrives: the elements of `key` in the
 * reply's first result (`[{"f":[...], ...}]`) are parsed in batches of about `batchBytes` and
 * handed on at once; everything else is kept and parsed at the end, with that array left empty.
 * A reply holding that key twice in the first result fails (JSON.parse would keep the last).
 *
 * Why: the `f` reply of a 100,000-node account is about 20 MB of JSON. Read whole, it is held
 * three times over (the pieces, their concatenation, one 20 MB string) before JSON.parse starts,
 * and on this machine fresh memory costs about as much as the parse itself (page faults: a 20 MB
 * string took 120 ms to build from a Buffer). In small batches the same few pages serve every
 * batch, and the parsing runs while the server is still sending.
 *
 * The scan tracks only strings (with escapes) and nesting depth, across piece boundaries, so
 * every valid reply splits at element boundaries; an invalid one fails in JSON.parse (a batch's
 * or the rest's), as it would whole. A reply without that array (an error code, another shape)
 * is all rest.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * About this much JSON per batch. Under V8's large-object size (128 KiB) a batch's string is made
 * in the young generation, whose memory is reused; a larger one gets fresh pages each time (a
 * 100,000-node reply split in memory: 1 MiB batches 540-590 ms, 64 KiB 360-390 ms, whole 580 ms).
 */
const BATCH_BYTES = 64 * 1024;

/** Depth of the keys of the reply's first result: inside `[` and `{`. */
const KEY_DEPTH = 2;
/** Depth of the array's elements. */
const ELEMENT_DEPTH = 3;

const BOM = [0xef, 0xbb, 0xbf];

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Backslashes right before index `at`, looking back no further than `after` (exclusive). */
function backslashesBefore(piece: Uint8Array, at: number, after: number): number {
  let k = at - 1;
  while (k > after && piece[k] === BACKSLASH) k--;
  return at - 1 - k;
}

export class ReplySplitter {
  readonly #key: Uint8Array;
  readonly #onItems: (items: unknown[]) => void;
  readonly #batchBytes: number;

  #mode: 'search' | 'array' | 'after' = 'search';
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** Search: how the current key string matches `key` (-1: it does not), and what followed it. */
  #match = -1;
  #sawKey = false;
  #sawColon = false;

  /** Bytes outside the array (the array's brackets included). */
  readonly #rest: Uint8Array[] = [];
  /** The current batch's pieces, and their length. */
  #batch: Uint8Array[] = [];
  #batchLength = 0;
  /** The last batch ended at a comma: another element must follow. */
  #cut = false;
  /** Which top-level element (command result) the scan is in. */
  #result = 0;
  /** Bytes of a leading byte order mark seen (3: done with it), and bytes before this piece. */
  #bom = 0;
  #seen = 0;

  constructor(key: string, onItems: (items: unknown[]) => void, batchBytes = BATCH_BYTES) {
    this.#key = Buffer.from(key, 'utf8');
    this.#onItems = onItems;
    this.#batchBytes = batchBytes;
  }

  push(piece: Uint8Array): void {
    let from = 0;
    const n = piece.length;
    for (let i = 0; i < n; i++) {
      const c = piece[i]!;
      if (this.#inString) {
        if (this.#escaped) {
          this.#escaped = false;
          this.#match = -1;
        } else if (c === BACKSLASH) {
          this.#escaped = true;
        } else if (c === QUOTE) {
          this.#inString = false;
          if (this.#match >= 0) this.#sawKey = this.#match === this.#key.length;
          this.#match = -1;
        } else if (this.#match >= 0) {
          this.#match = this.#key[this.#match] === c ? this.#match + 1 : -1;
        } else {
          i = this.#skipString(piece, i);
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (this.#bom < 3) {
        // A byte order mark first (res.json() would strip it), else nothing of one.
        if (c === BOM[this.#bom] && this.#bom === i + this.#seen) {
          this.#bom++;
          from = i + 1;
          continue;
        }
        if (this.#bom > 0) throw new SyntaxError('the reply starts with part of a byte order mark');
        this.#bom = 3;
      }
      if (this.#mode !== 'array') {
        if (c === QUOTE) {
          this.#inString = true;
          // Keys of the first result only: api.ts takes reply[0].
          this.#match = this.#depth === KEY_DEPTH && this.#result === 0 ? 0 : -1;
          this.#sawKey = false;
          this.#sawColon = false;
          continue;
        }
        if (c === COLON && this.#sawKey) {
          // JSON.parse would keep the last of two such arrays; the reply never holds two.
          if (this.#mode === 'after') throw new SyntaxError('the reply holds its node list twice');
          this.#sawColon = true;
          this.#sawKey = false;
          continue;
        }
        if (c === OPEN_ARRAY && this.#sawColon && this.#depth === KEY_DEPTH) {
          this.#depth++;
          this.#rest.push(piece.subarray(from, i + 1));
          from = i + 1;
          this.#mode = 'array';
          continue;
        }
        this.#sawKey = false;
        this.#sawColon = false;
        if (c === OPEN_ARRAY || c === OPEN_OBJECT) this.#depth++;
        else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) this.#depth--;
        else if (c === COMMA && this.#depth === 1) this.#result++;
        continue;
      }
      if (c === QUOTE) {
        this.#inString = true;
        this.#match = -1;
      } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        this.#depth++;
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        this.#depth--;
        if (this.#depth === KEY_DEPTH) {
          // The array's end: its last batch, then everything else is rest again.
          this.#addToBatch(piece.subarray(from, i));
          this.#flush(true);
          from = i;
          this.#mode = 'after';
        }
      } else if (c === COMMA && this.#depth === ELEMENT_DEPTH && this.#batchLength + (i - from) >= this.#batchBytes) {
        this.#addToBatch(piece.subarray(from, i));
        this.#flush(false);
        from = i + 1;
      }
    }
    if (from < n) {
      if (this.#mode === 'array') this.#addToBatch(piece.subarray(from));
      else this.#rest.push(piece.subarray(from));
    }
    this.#seen += n;
  }

  /**
   * Inside a string, at an ordinary character: the index just before the string's closing quote
   * (the first quote after an even run of backslashes), or the piece's last index when the string
   * goes on into the next piece (with `escaped` set when the piece ends in an odd run).
   */
  #skipString(piece: Uint8Array, i: number): number {
    let q = piece.indexOf(QUOTE, i + 1);
    while (q >= 0 && backslashesBefore(piece, q, i) % 2 === 1) q = piece.indexOf(QUOTE, q + 1);
    if (q >= 0) return q - 1;
    this.#escaped = backslashesBefore(piece, piece.length, i) % 2 === 1;
    return piece.length - 1;
  }

  /** The reply with the array emptied. Throws a SyntaxError for invalid or truncated JSON. */
  end(): unknown {
    if (this.#mode === 'array') throw new SyntaxError('the reply ended inside its node list');
    const text = Buffer.concat(this.#rest).toString('utf8');
    this.#rest.length = 0;
    return JSON.parse(text);
  }

  #addToBatch(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // Kept, not copied: the body stream hands over a fresh piece each time.
    this.#batch.push(bytes);
    this.#batchLength += bytes.length;
  }

  /** Parses and hands on the batch; `last` at the array's end, where a blank batch after a cut means `[..., ]`. */
  #flush(last: boolean): void {
    // The brackets go into the bytes: `[${text}]` would be one more copy of the text when parsed.
    const bytes = Buffer.allocUnsafe(this.#batchLength + 2);
    bytes[0] = OPEN_ARRAY;
    let at = 1;
    for (const b of this.#batch) {
      bytes.set(b, at);
      at += b.length;
    }
    bytes[at] = CLOSE_ARRAY;
    this.#batch = [];
    this.#batchLength = 0;
    let blank = true;
    for (let k = 1; k < at && blank; k++) blank = isSpace(bytes[k]!);
    if (blank) {
      if (last && this.#cut) throw new SyntaxError('a comma before the end of the node list');
      if (!last) throw new SyntaxError('an empty element in the node list');
      return;
    }
    this.#cut = !last;
    const items: unknown = JSON.parse(bytes.toString('utf8'));
    this.#onItems(items as unknown[]);
  }
}
