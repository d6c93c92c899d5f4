/**
 * Serialises a trained model as an ONNX graph (opset 13) that transformers.js
 * runs like a BERT sequence classifier: inputs `input_ids` and `attention_mask`
 * (int64, [batch, seq]), output `logits` (float, [batch, labels]).
 *
 * Inside: the n-gram rows of `features.ts` are computed with int64 Mul/Add/Mod
 * on shifted slices of `input_ids` and looked up in one embedding table; every
 * token position owns its character, the bigram and the trigram starting
 * there. The table is stored projected through the linear layer (one logit
 * per label and row). A grouped convolution with a kernel of K ones gives
 * every window of K positions its summed logits and row count, hence its mean
 * logits; the logits of the window
 * most likely not to be clean (log Σ exp(bad) − clean, first on ties) are the
 * output. A text of at most K tokens is a single window. So one leaking
 * sentence is scored with its immediate neighbours, not averaged away by the
 * rest of the post; `worstWindowLogits` in trainer.ts is the same computation
 * in JavaScript.
 */
import onnxProto from 'onnx-proto';
import { HASH, type FeatureShape } from './features.js';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;

export interface LinearModelWeights extends FeatureShape {
  dim: number;
  labels: number;
  /** (vocabSize + buckets) × dim, row-major. */
  embeddings: Float32Array;
  /** dim × labels, row-major. */
  weight: Float32Array;
  bias: Float32Array;
}

function floatTensor(name: string, dims: number[], data: Float32Array): ITensor {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function int64Tensor(name: string, values: number[], dims: number[] = [values.length]): ITensor {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  return { name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(data.buffer) };
}

function node(opType: string, inputs: string[], outputs: string[], attribute: onnxProto.onnx.IAttributeProto[] = []): INode {
  return { opType, input: inputs, output: outputs, name: outputs[0], attribute };
}

const INT_ATTR = onnx.AttributeProto.AttributeType.INT;

export function buildOnnxModel(w: LinearModelWeights, producerVersion: string, window: number): Uint8Array {
  const rows = w.vocabSize + w.buckets;
  if (w.embeddings.length !== rows * w.dim) throw new Error('embedding table has the wrong size');
  if (!Number.isInteger(window) || window < 1) throw new Error('window must be a positive integer');
  const padEnd = (n: number) => int64Tensor(`padEnd${n}`, [0, 0, 0, n]);
  // The linear layer commutes with the window mean, so the table is stored
  // already projected onto the labels: one row of `labels` logits per
  // character or n-gram (rows × labels instead of rows × dim), and the graph
  // does all its window arithmetic on `labels` channels.
  const projected = new Float32Array(rows * w.labels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < w.labels; c++) {
      let z = 0;
      for (let d = 0; d < w.dim; d++) z += w.embeddings[r * w.dim + d]! * w.weight[d * w.labels + c]!;
      projected[r * w.labels + c] = z;
    }
  }
  projected.fill(0, 0, w.labels); // row 0 is [PAD]: what padding positions look up
  const initializer: ITensor[] = [
    floatTensor('embeddings', [rows, w.labels], projected),
    floatTensor('biasCol', [w.labels, 1], w.bias),
    int64Tensor('K1', [HASH.K1], []),
    int64Tensor('K2', [HASH.K2], []),
    int64Tensor('M', [HASH.M], []),
    int64Tensor('B', [w.buckets], []),
    int64Tensor('V', [w.vocabSize], []),
    int64Tensor('axis1', [1]),
    int64Tensor('axis2', [2]),
    int64Tensor('i0', [0]),
    int64Tensor('i1', [1]),
    int64Tensor('i2', [2]),
    int64Tensor('im1', [-1]),
    int64Tensor('im2', [-2]),
    int64Tensor('iKm1', [window - 1]),
    int64Tensor('i0s', [0], []),
    int64Tensor('i1s', [1], []),
    int64Tensor('iC', [w.labels]),
    int64Tensor('iend', [Number.MAX_SAFE_INTEGER]),
    padEnd(window + 2),
    padEnd(1),
    padEnd(2),
    floatTensor('sumKernel', [w.labels, 1, window], new Float32Array(w.labels * window).fill(1)),
    floatTensor('cntKernel', [1, 1, window], new Float32Array(window).fill(1)),
    floatTensor('one', [], new Float32Array([1])),
    floatTensor('neg', [], new Float32Array([-1e9])),
  ];
  const slice = (x: string, start: string, end: string, out: string, axis = 'axis1') => node('Slice', [x, start, end, axis], [out]);
  const nodes: INode[] = [
    // Room at the end (id 0, mask 0) so every text, even an empty one, has
    // bigram and trigram positions and at least one full-length window.
    node('Pad', ['input_ids', `padEnd${window + 2}`], ['ids']),
    node('Pad', ['attention_mask', `padEnd${window + 2}`], ['maskI']),
    node('Cast', ['maskI'], ['mask'], [{ name: 'to', type: INT_ATTR, i: onnx.TensorProto.DataType.FLOAT }]),
    // Shifted views: a = ids[:, :-1], b = ids[:, 1:], and for trigrams a3, b3, c3.
    slice('ids', 'i0', 'im1', 'a'),
    slice('ids', 'i1', 'iend', 'b'),
    slice('ids', 'i0', 'im2', 'a3'),
    slice('ids', 'i1', 'im1', 'b3'),
    slice('ids', 'i2', 'iend', 'c3'),
    slice('mask', 'i0', 'im1', 'ma'),
    slice('mask', 'i1', 'iend', 'mb'),
    node('Mul', ['ma', 'mb'], ['mask2s']),
    slice('mask', 'i0', 'im2', 'm3a'),
    slice('mask', 'i1', 'im1', 'm3b'),
    slice('mask', 'i2', 'iend', 'm3c'),
    node('Mul', ['m3a', 'm3b'], ['m3ab']),
    node('Mul', ['m3ab', 'm3c'], ['mask3s']),
    // Bigram rows: V + ((a·K1 + b) mod M) mod B, owned by the position of a.
    node('Mul', ['a', 'K1'], ['aK']),
    node('Add', ['aK', 'b'], ['aKb']),
    node('Mod', ['aKb', 'M'], ['s2']),
    node('Mod', ['s2', 'B'], ['h2']),
    node('Add', ['h2', 'V'], ['rows2s']),
    // Trigram rows: V + (((a·K1 + b) mod M)·K2 + c) mod B
    node('Mul', ['a3', 'K1'], ['a3K']),
    node('Add', ['a3K', 'b3'], ['a3Kb']),
    node('Mod', ['a3Kb', 'M'], ['s3']),
    node('Mul', ['s3', 'K2'], ['s3K']),
    node('Add', ['s3K', 'c3'], ['s3Kc']),
    node('Mod', ['s3Kc', 'B'], ['h3']),
    node('Add', ['h3', 'V'], ['rows3s']),
    // Back to one entry per position (the missing tail is padding, mask 0).
    node('Pad', ['rows2s', 'padEnd1'], ['rows2']),
    node('Pad', ['mask2s', 'padEnd1'], ['mask2']),
    node('Pad', ['rows3s', 'padEnd2'], ['rows3']),
    node('Pad', ['mask3s', 'padEnd2'], ['mask3']),
  ];
  // Padding positions look up row 0 ([PAD], kept at zero), so no embedding
  // is ever multiplied by a mask.
  for (const [rowsName, maskName, tag] of [['rows2', 'mask2', '2'], ['rows3', 'mask3', '3']] as const) {
    nodes.push(
      node('Cast', [maskName], [`${maskName}B`], [{ name: 'to', type: INT_ATTR, i: onnx.TensorProto.DataType.BOOL }]),
      node('Where', [`${maskName}B`, rowsName, 'i0s'], [`${rowsName}m`]),
    );
  }
  nodes.push(
    node('Gather', ['embeddings', 'ids'], ['e1'], [{ name: 'axis', type: INT_ATTR, i: 0 }]),
    node('Gather', ['embeddings', 'rows2m'], ['e2'], [{ name: 'axis', type: INT_ATTR, i: 0 }]),
    node('Gather', ['embeddings', 'rows3m'], ['e3'], [{ name: 'axis', type: INT_ATTR, i: 0 }]),
    // Per-position sums, channels first ([B, labels, T']) so that every
    // broadcast below runs along the sequence.
    node('Add', ['e1', 'e2'], ['e12']),
    node('Add', ['e12', 'e3'], ['posTL']),
    node('Transpose', ['posTL'], ['pos'], [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 1] }]),
    node('Add', ['mask', 'mask2'], ['c12']),
    node('Add', ['c12', 'mask3'], ['cpos']),
    // Window s covers positions [s, s + K): sums by a grouped convolution
    // with a kernel of K ones, per label channel and for the row counts.
    node('Conv', ['pos', 'sumKernel'], ['wsum'], [
      { name: 'group', type: INT_ATTR, i: w.labels },
      { name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [window] },
    ]),
    node('Unsqueeze', ['cpos', 'axis1'], ['cposRow']),
    node('Conv', ['cposRow', 'cntKernel'], ['wcnt'], [{ name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [window] }]),
    node('Max', ['wcnt', 'one'], ['wcntRow']),
    node('Div', ['wsum', 'wcntRow'], ['proj']),
    node('Add', ['proj', 'biasCol'], ['wlogits']),
    // Risk of a window: log Σ exp(bad logits) − clean logit.
    slice('wlogits', 'i1', 'iC', 'bad'),
    slice('wlogits', 'i0', 'i1', 'cleanRow'),
    node('ReduceLogSumExp', ['bad'], ['badLse'], [{ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] }, { name: 'keepdims', type: INT_ATTR, i: 0 }]),
    node('Squeeze', ['cleanRow', 'axis1'], ['clean']),
    node('Sub', ['badLse', 'clean'], ['wrisk']),
    // Only starts 0 … max(n − K, 0) count (later windows are inside earlier
    // ones): start s > 0 counts when its last position s + K − 1 is a real
    // token (masks are right-padded); start 0 always counts.
    slice('mask', 'iKm1', 'iend', 'lastReal'),
    node('Cast', ['lastReal'], ['validB'], [{ name: 'to', type: INT_ATTR, i: onnx.TensorProto.DataType.BOOL }]),
    node('Where', ['validB', 'wrisk', 'neg'], ['riskMasked']),
    slice('wrisk', 'i0', 'i1', 'risk0'),
    slice('riskMasked', 'i1', 'iend', 'riskRest'),
    node('Concat', ['risk0', 'riskRest'], ['riskValid'], [{ name: 'axis', type: INT_ATTR, i: 1 }]),
    node('ArgMax', ['riskValid'], ['worst'], [{ name: 'axis', type: INT_ATTR, i: 1 }, { name: 'keepdims', type: INT_ATTR, i: 1 }]),
    // One-hot of the worst start ([B, NW]) against Range(0, NW), then its logits.
    node('Shape', ['wrisk'], ['wshape']),
    node('Gather', ['wshape', 'i1s'], ['nw'], [{ name: 'axis', type: INT_ATTR, i: 0 }]),
    node('Range', ['i0s', 'nw', 'i1s'], ['starts']),
    node('Equal', ['starts', 'worst'], ['pickB']),
    node('Cast', ['pickB'], ['pick'], [{ name: 'to', type: INT_ATTR, i: onnx.TensorProto.DataType.FLOAT }]),
    node('Unsqueeze', ['pick', 'axis2'], ['pickCol']),
    node('MatMul', ['wlogits', 'pickCol'], ['picked']),
    node('Flatten', ['picked'], ['logits'], [{ name: 'axis', type: INT_ATTR, i: 1 }]),
  );
  const dyn = (dims: Array<string | number>) => ({
    dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'lastgate',
    producerVersion,
    graph: {
      name: 'char_ngram_classifier',
      node: nodes,
      initializer,
      input: [
        { name: 'input_ids', type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: dyn(['batch', 'sequence']) } } },
        { name: 'attention_mask', type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: dyn(['batch', 'sequence']) } } },
      ],
      output: [{ name: 'logits', type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: dyn(['batch', w.labels]) } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
