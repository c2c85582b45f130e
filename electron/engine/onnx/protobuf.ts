// A minimal protocol-buffers writer (and a reader for tests and inspection): just the wire types ONNX needs —
// varints (int32/int64/enums), fixed32 (float), and length-delimited fields (strings, bytes, sub-messages,
// packed repeated numbers). Messages are built bottom-up: a sub-message is encoded first, then embedded as bytes.

const utf8 = new TextEncoder();

/** Wire types of the protobuf encoding. */
export const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(256);
  private pos = 0;
  private total = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = new Uint8Array(Math.max(n, 2 * this.buf.length));
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.slice(0, this.pos));
    this.pos = 0;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
    this.total++;
  }

  /** Unsigned or two's-complement varint; numbers must be safe integers (int64 values beyond 2^53 are not needed). */
  varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    if (x < 0x80n) return this.byte(Number(x));
    while (x >= 0x80n) {
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.byte(Number(x));
  }

  private tag(field: number, wire: Wire): void {
    this.varint((field << 3) | wire);
  }

  private raw(bytes: Uint8Array): void {
    this.flush();
    this.chunks.push(bytes);
    this.total += bytes.length;
  }

  int(field: number, v: number | bigint): this {
    this.tag(field, Wire.Varint);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, Wire.Fixed32);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).setFloat32(0, v, true);
    this.pos += 4;
    this.total += 4;
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, Wire.Bytes);
    this.varint(b.length);
    this.raw(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** Packed repeated varints (proto3 default for repeated scalars). */
  packedInts(field: number, vs: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of vs) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated floats. */
  packedFloats(field: number, vs: readonly number[]): this {
    const b = new Uint8Array(4 * vs.length);
    const dv = new DataView(b.buffer);
    vs.forEach((v, i) => dv.setFloat32(4 * i, v, true));
    return this.bytes(field, b);
  }

  get length(): number {
    return this.total;
  }

  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    this.chunks = [out];
    return out;
  }
}

export interface ProtoField {
  field: number;
  wire: Wire;
  /** Varint value (as bigint), fixed32/64 raw bits, or the bytes of a length-delimited field. */
  value: bigint | Uint8Array;
}

/** Decodes one message level into its fields (no schema): enough to inspect exported models in tests. */
export function readFields(b: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let p = 0;
  const varint = (): bigint => {
    let x = 0n;
    let shift = 0n;
    for (;;) {
      if (p >= b.length) throw new Error('truncated varint');
      const c = b[p++];
      x |= BigInt(c & 0x7f) << shift;
      if (c < 0x80) return x;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  };
  while (p < b.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = (key & 7) as Wire;
    if (wire === Wire.Varint) out.push({ field, wire, value: varint() });
    else if (wire === Wire.Fixed32 || wire === Wire.Fixed64) {
      const n = wire === Wire.Fixed32 ? 4 : 8;
      if (p + n > b.length) throw new Error('truncated fixed field');
      out.push({ field, wire, value: b.subarray(p, p + n) });
      p += n;
    } else if (wire === Wire.Bytes) {
      const n = Number(varint());
      if (p + n > b.length) throw new Error('truncated length-delimited field');
      out.push({ field, wire, value: b.subarray(p, p + n) });
      p += n;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

export function readString(v: bigint | Uint8Array): string {
  if (!(v instanceof Uint8Array)) throw new Error('not a length-delimited field');
  return new TextDecoder().decode(v);
}
