// Little helpers for building and reading byte strings: a growable writer and unsigned LEB128 varints.
// A varint is 1–5 bytes, 7 bits per byte, least-significant group first, high bit = more bytes follow;
// values are limited to 0 … 2^32−1 and must use the shortest encoding.

export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.length));
    this.buf = nb;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u32le(v: number): this {
    this.ensure(4);
    for (let i = 0; i < 4; i++) this.buf[this.length++] = (v >>> (8 * i)) & 0xff;
    return this;
  }

  varint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`varint out of range: ${v}`);
    do {
      const b = v % 128;
      v = Math.floor(v / 128);
      this.u8(v > 0 ? b | 0x80 : b);
    } while (v > 0);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** A view of the bytes written so far (valid until the next write). */
  view(from = 0, to = this.length): Uint8Array {
    return this.buf.subarray(from, to);
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function varintLength(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/**
 * Reads a varint at `pos` without reading at or past `end`. Returns [value, next position], or
 * [-1, reason] when the bytes end first (-1 'end'), the value is too long (-1 'long') or is not in its
 * shortest form (-1 'noncanonical'). Callers turn these into their own errors.
 */
export function readVarint(bytes: Uint8Array, pos: number, end: number): [number, number] | [-1, 'end' | 'long' | 'noncanonical'] {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) return [-1, 'end'];
    const b = bytes[pos++];
    v += (b & 0x7f) * mul;
    if (!(b & 0x80)) {
      if (i > 0 && b === 0) return [-1, 'noncanonical'];
      if (v > 0xffffffff) return [-1, 'long'];
      return [v, pos];
    }
    mul *= 128;
  }
  return [-1, 'long'];
}
