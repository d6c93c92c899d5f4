/**
 * Serialises a trained model as an ONNX graph (opset 13) that transformers.js
 * runs like a BERT sequence classifier: inputs `input_ids` and `attention_mask`
 * (int64, [batch, seq]), output `logits` (float, [batch, labels]).
 *
 * Inside: the n-gram rows of `features.ts` are computed with int64 Mul/Add/Mod
 * on shifted slices of `input_ids`; one Gather per n-gram order looks up the
 * embedding table; a masked mean over all rows feeds MatMul + Add.
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

export function buildOnnxModel(w: LinearModelWeights, producerVersion: string): Uint8Array {
  const rows = w.vocabSize + w.buckets;
  if (w.embeddings.length !== rows * w.dim) throw new Error('embedding table has the wrong size');
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
    int64Tensor('i0', [0]),
    int64Tensor('i1', [1]),
    int64Tensor('i2', [2]),
    int64Tensor('im1', [-1]),
    int64Tensor('im2', [-2]),
    int64Tensor('iend', [Number.MAX_SAFE_INTEGER]),
    floatTensor('one', [], new Float32Array([1])),
  ];
  const slice = (x: string, start: string, end: string, out: string) => node('Slice', [x, start, end, 'axis1'], [out]);
  const nodes: INode[] = [
    node('Cast', ['attention_mask'], ['mask'], [{ name: 'to', type: INT_ATTR, i: onnx.TensorProto.DataType.FLOAT }]),
    // Shifted views: a = ids[:, :-1], b = ids[:, 1:], and for trigrams a3, b3, c3.
    slice('input_ids', 'i0', 'im1', 'a'),
    slice('input_ids', 'i1', 'iend', 'b'),
    slice('input_ids', 'i0', 'im2', 'a3'),
    slice('input_ids', 'i1', 'im1', 'b3'),
    slice('input_ids', 'i2', 'iend', 'c3'),
    slice('mask', 'i0', 'im1', 'ma'),
    slice('mask', 'i1', 'iend', 'mb'),
    node('Mul', ['ma', 'mb'], ['mask2']),
    slice('mask', 'i0', 'im2', 'm3a'),
    slice('mask', 'i1', 'im1', 'm3b'),
    slice('mask', 'i2', 'iend', 'm3c'),
    node('Mul', ['m3a', 'm3b'], ['m3ab']),
    node('Mul', ['m3ab', 'm3c'], ['mask3']),
    // Bigram rows: V + ((a·K1 + b) mod M) mod B
    node('Mul', ['a', 'K1'], ['aK']),
    node('Add', ['aK', 'b'], ['aKb']),
    node('Mod', ['aKb', 'M'], ['s2']),
    node('Mod', ['s2', 'B'], ['h2']),
    node('Add', ['h2', 'V'], ['rows2']),
    // Trigram rows: V + (((a·K1 + b) mod M)·K2 + c) mod B
    node('Mul', ['a3', 'K1'], ['a3K']),
    node('Add', ['a3K', 'b3'], ['a3Kb']),
    node('Mod', ['a3Kb', 'M'], ['s3']),
    node('Mul', ['s3', 'K2'], ['s3K']),
    node('Add', ['s3K', 'c3'], ['s3Kc']),
    node('Mod', ['s3Kc', 'B'], ['h3']),
    node('Add', ['h3', 'V'], ['rows3']),
  ];
  for (const [rowsName, maskName, tag] of [['input_ids', 'mask', '1'], ['rows2', 'mask2', '2'], ['rows3', 'mask3', '3']] as const) {
    // Masked sums as batched MatMul ([B,1,T] × [B,T,D]): unlike ReduceSum in
    // onnxruntime 1.14, it accepts an empty sequence axis (texts of 0–2 tokens).
    nodes.push(
      node('Gather', ['embeddings', rowsName], [`e${tag}`], [{ name: 'axis', type: INT_ATTR, i: 0 }]),
      node('Unsqueeze', [maskName, 'axis1'], [`mrow${tag}`]),
      node('Unsqueeze', [maskName, 'axis2'], [`mcol${tag}`]),
      node('MatMul', [`mrow${tag}`, `e${tag}`], [`sum3d${tag}`]),
      node('Flatten', [`sum3d${tag}`], [`sum${tag}`], [{ name: 'axis', type: INT_ATTR, i: 1 }]),
      node('MatMul', [`mrow${tag}`, `mcol${tag}`], [`cnt3d${tag}`]),
      node('Flatten', [`cnt3d${tag}`], [`cnt${tag}`], [{ name: 'axis', type: INT_ATTR, i: 1 }]),
    );
  }
  nodes.push(
    node('Add', ['sum1', 'sum2'], ['sum12']),
    node('Add', ['sum12', 'sum3'], ['sum']),
    node('Add', ['cnt1', 'cnt2'], ['cnt12']),
    node('Add', ['cnt12', 'cnt3'], ['cnt']),
    node('Max', ['cnt', 'one'], ['cntSafe']),
    node('Div', ['sum', 'cntSafe'], ['hidden']),
    node('MatMul', ['hidden', 'classifier.weight'], ['proj']),
    node('Add', ['proj', 'classifier.bias'], ['logits']),
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
