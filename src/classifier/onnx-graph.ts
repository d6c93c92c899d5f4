/**
 * Serialises a trained model as an ONNX graph (opset 13) that transformers.js
 * runs like a BERT sequence classifier: inputs `input_ids` and `attention_mask`
 * (int64, [batch, seq]), output `logits` (float, [batch, labels]).
 *
 * Inside: the n-gram rows of `features.ts` are computed with int64 Mul/Add/Mod
 * on shifted slices of `input_ids` and looked up in one embedding table; every
 * token position owns its character, the bigram and the trigram starting
 * there. Prefix sums (CumSum) give the mean embedding of every window of K
 * positions; the linear layer scores each window, and the logits of the window
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
  const initializer: ITensor[] = [
    floatTensor('embeddings', [rows, w.dim], w.embeddings),
    floatTensor('classifier.weight', [w.dim, w.labels], w.weight),
    floatTensor('classifier.bias', [w.labels], w.bias),
    int64Tensor('K1', [HASH.K1], []),
    int64Tensor('K2', [HASH.K2], []),
    int64Tensor('M', [HASH.M], []),
    int64Tensor('B', [w.buckets], []),
    int64Tensor('V', [w.vocabSize], []),
    int64Tensor('axis1', [1]),
    int64Tensor('axis2', [2]),
    int64Tensor('axis1s', [1], []),
    int64Tensor('i0', [0]),
    int64Tensor('i1', [1]),
    int64Tensor('i2', [2]),
    int64Tensor('im1', [-1]),
    int64Tensor('im2', [-2]),
    int64Tensor('iK', [window]),
    int64Tensor('imK', [-window]),
    int64Tensor('iC', [w.labels]),
    int64Tensor('iend', [Number.MAX_SAFE_INTEGER]),
    padEnd(window + 2),
    padEnd(1),
    padEnd(2),
    int64Tensor('padBegin3', [0, 1, 0, 0, 0, 0]),
    int64Tensor('padBegin2', [0, 1, 0, 0]),
    floatTensor('zero', [], new Float32Array([0])),
    floatTensor('one', [], new Float32Array([1])),
    floatTensor('fK', [], new Float32Array([window])),
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
  for (const [rowsName, maskName, tag] of [['ids', 'mask', '1'], ['rows2', 'mask2', '2'], ['rows3', 'mask3', '3']] as const) {
    nodes.push(
      node('Gather', ['embeddings', rowsName], [`e${tag}`], [{ name: 'axis', type: INT_ATTR, i: 0 }]),
      node('Unsqueeze', [maskName, 'axis2'], [`mcol${tag}`]),
      node('Mul', [`e${tag}`, `mcol${tag}`], [`em${tag}`]),
    );
  }
  nodes.push(
    // Per-position sums and counts, then prefix sums with a leading zero.
    node('Add', ['em1', 'em2'], ['em12']),
    node('Add', ['em12', 'em3'], ['pos']),
    node('Add', ['mask', 'mask2'], ['c12']),
    node('Add', ['c12', 'mask3'], ['cpos']),
    node('CumSum', ['pos', 'axis1s'], ['cum']),
    node('CumSum', ['cpos', 'axis1s'], ['ccum']),
    node('Pad', ['cum', 'padBegin3'], ['pre']),
    node('Pad', ['ccum', 'padBegin2'], ['cpre']),
    // Window s covers positions [s, s + K): sum = pre[s + K] − pre[s].
    slice('pre', 'iK', 'iend', 'preHi'),
    slice('pre', 'i0', 'imK', 'preLo'),
    node('Sub', ['preHi', 'preLo'], ['wsum']),
    slice('cpre', 'iK', 'iend', 'cpreHi'),
    slice('cpre', 'i0', 'imK', 'cpreLo'),
    node('Sub', ['cpreHi', 'cpreLo'], ['wcnt']),
    node('Max', ['wcnt', 'one'], ['wcntSafe']),
    node('Unsqueeze', ['wcntSafe', 'axis2'], ['wcntCol']),
    node('Div', ['wsum', 'wcntCol'], ['hidden']),
    node('MatMul', ['hidden', 'classifier.weight'], ['proj']),
    node('Add', ['proj', 'classifier.bias'], ['wlogits']),
    // Risk of a window: log Σ exp(bad logits) − clean logit.
    slice('wlogits', 'i1', 'iC', 'bad', 'axis2'),
    slice('wlogits', 'i0', 'i1', 'cleanCol', 'axis2'),
    node('ReduceLogSumExp', ['bad'], ['badLse'], [{ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [2] }, { name: 'keepdims', type: INT_ATTR, i: 0 }]),
    node('Squeeze', ['cleanCol', 'axis2'], ['clean']),
    node('Sub', ['badLse', 'clean'], ['wrisk']),
    // Only starts 0 … max(n − K, 0) count (later windows are inside earlier ones).
    node('Mul', ['wcnt', 'zero'], ['zeros']),
    node('Add', ['zeros', 'one'], ['ones']),
    node('CumSum', ['ones', 'axis1s'], ['startPlus1']),
    node('Sub', ['startPlus1', 'one'], ['start']),
    node('ReduceSum', ['mask', 'axis1'], ['len'], [{ name: 'keepdims', type: INT_ATTR, i: 1 }]),
    node('Sub', ['len', 'fK'], ['lenMinusK']),
    node('Max', ['lenMinusK', 'zero'], ['lastStart']),
    node('LessOrEqual', ['start', 'lastStart'], ['valid']),
    node('Where', ['valid', 'wrisk', 'neg'], ['riskValid']),
    node('ArgMax', ['riskValid'], ['worst'], [{ name: 'axis', type: INT_ATTR, i: 1 }, { name: 'keepdims', type: INT_ATTR, i: 1 }]),
    node('Cast', ['worst'], ['worstF'], [{ name: 'to', type: INT_ATTR, i: onnx.TensorProto.DataType.FLOAT }]),
    node('Equal', ['start', 'worstF'], ['pickB']),
    node('Cast', ['pickB'], ['pick'], [{ name: 'to', type: INT_ATTR, i: onnx.TensorProto.DataType.FLOAT }]),
    node('Unsqueeze', ['pick', 'axis1'], ['pickRow']),
    node('MatMul', ['pickRow', 'wlogits'], ['picked']),
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
