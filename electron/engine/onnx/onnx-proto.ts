// The few ONNX messages the exporter writes (field numbers from onnx/onnx.proto, IR version 8 = opset 17 era),
// and a small graph builder on top of them. Only what the project's models need: float32 and int64 tensors,
// int / ints / float / string attributes, value infos with fixed or named (dynamic) dimensions.
import { ProtoWriter } from './protobuf.js';

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

/** TensorProto.DataType values. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
type DataTypeValue = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

export type AttrValue = number | string | number[] | { float: number };

/** A dimension: a fixed size or a symbolic name (dynamic). */
export type Dim = number | string;

export function tensorProto(name: string, dims: readonly number[], data: Float32Array | BigInt64Array): ProtoWriter {
  const w = new ProtoWriter();
  if (dims.length) w.packedInts(1, dims);
  const type: DataTypeValue = data instanceof Float32Array ? DataType.FLOAT : DataType.INT64;
  w.int(2, type);
  w.string(8, name);
  // raw_data is little-endian whatever the host; copy through a DataView so big-endian hosts are right too.
  const raw = new Uint8Array(data.length * (type === DataType.FLOAT ? 4 : 8));
  const dv = new DataView(raw.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  else data.forEach((v, i) => dv.setBigInt64(8 * i, v, true));
  w.bytes(9, raw);
  return w;
}

function attributeProto(name: string, v: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: use { float } for non-integers`);
    w.int(3, v).int(20, AttrType.INT);
  } else if (typeof v === 'string') w.string(4, v).int(20, AttrType.STRING);
  else if (Array.isArray(v)) w.packedInts(8, v).int(20, AttrType.INTS);
  else w.float(2, v.float).int(20, AttrType.FLOAT);
  return w;
}

function valueInfoProto(name: string, elemType: DataTypeValue, dims: readonly Dim[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type);
}

interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  name: string;
}

/**
 * Builds an ONNX graph node by node. Names are generated (`prefix_n`) unless given, so building code reads
 * like the tf code it mirrors: `const y = g.op('Relu', [x])`.
 */
export class GraphBuilder {
  private nodes: NodeSpec[] = [];
  private inits: ProtoWriter[] = [];
  private initNames = new Set<string>();
  private inputs: ProtoWriter[] = [];
  private outputs: ProtoWriter[] = [];
  private counter = 0;

  constructor(readonly name = 'graph') {}

  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  input(name: string, dims: readonly Dim[], elemType: DataTypeValue = DataType.FLOAT): string {
    this.inputs.push(valueInfoProto(name, elemType, dims));
    return name;
  }

  output(name: string, dims: readonly Dim[], elemType: DataTypeValue = DataType.FLOAT): string {
    this.outputs.push(valueInfoProto(name, elemType, dims));
    return name;
  }

  /** A constant tensor (weights, shapes); returns its name. */
  initializer(name: string, dims: readonly number[], data: Float32Array | BigInt64Array): string {
    if (this.initNames.has(name)) throw new Error(`duplicate initializer ${name}`);
    const n = dims.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new Error(`initializer ${name}: ${data.length} values for shape [${dims}]`);
    this.initNames.add(name);
    this.inits.push(tensorProto(name, dims, data));
    return name;
  }

  int64s(values: readonly number[], name = this.fresh('const')): string {
    return this.initializer(name, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** Adds a node with one output; returns the output's name. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    const out = output ?? this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attrs, name: this.fresh(`n_${op}`) });
    return out;
  }

  graphProto(): ProtoWriter {
    const g = new ProtoWriter();
    for (const n of this.nodes) {
      const w = new ProtoWriter();
      for (const i of n.inputs) w.string(1, i);
      for (const o of n.outputs) w.string(2, o);
      w.string(3, n.name).string(4, n.op);
      for (const [k, v] of Object.entries(n.attrs)) w.message(5, attributeProto(k, v));
      g.message(1, w);
    }
    g.string(2, this.name);
    for (const t of this.inits) g.message(5, t);
    for (const i of this.inputs) g.message(11, i);
    for (const o of this.outputs) g.message(12, o);
    return g;
  }

  /** Serialises a ModelProto around this graph. */
  model(meta: { producerVersion?: string; docString?: string; props?: Record<string, string> } = {}): Uint8Array {
    const m = new ProtoWriter();
    m.int(1, ONNX_IR_VERSION);
    m.string(2, 'aez');
    m.string(3, meta.producerVersion ?? '0');
    m.int(5, 1);
    if (meta.docString) m.string(6, meta.docString);
    m.message(7, this.graphProto());
    m.message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET));
    for (const [k, v] of Object.entries(meta.props ?? {})) m.message(14, new ProtoWriter().string(1, k).string(2, v));
    return m.finish();
  }
}
