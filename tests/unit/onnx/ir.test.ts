// IR round trip, tensor decoding (raw_data / float_data / int64), opset lookup, topological order and
// hostile graphs: each must fail with a specific StudioError('bad_model'), never reach ONNX Runtime.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { StudioError } from '../../../main/api/contract.js';
import { buildGradGraph } from '../../../main/onnx/grad-graph.js';
import { defaultOpset, DT, floatTensor, type Model } from '../../../main/onnx/ir.js';
import { onnxDescriptor } from '../../../main/onnx/onnx-descriptor.js';
import { decodeModel, encodeModel, loadModel } from '../../../main/onnx/proto.js';
import { topoSort, validateModel } from '../../../main/onnx/validate.js';
import { testModel } from './graphs.js';

const ModelProto = protobuf.Root.fromJSON(onnxDescriptor as protobuf.INamespace).lookupType('onnx.ModelProto');

/** Encodes a raw ModelProto object (lets tests write things our encoder never would). */
function rawModel(graph: Record<string, unknown>, opset = 17): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject({ ir_version: 8, opset_import: [{ domain: '', version: opset }], graph })).finish();
}
const vi = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensor_type: { elem_type: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
});

function expectBadModel(fn: () => unknown, pattern: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    expect((e as StudioError).code).toBe('bad_model');
    expect((e as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a bad_model error');
}

function tiny(): Model {
  return testModel({
    name: 'g',
    nodes: [
      { name: 'b', opType: 'Relu', domain: '', inputs: ['h'], outputs: ['y'], attrs: {} },
      { name: 'a', opType: 'Mul', domain: '', inputs: ['x', 'w'], outputs: ['h'], attrs: {} },
    ],
    inputs: [{ name: 'x', elemType: DT.FLOAT, shape: ['N', 3] }],
    outputs: [{ name: 'y', elemType: DT.FLOAT, shape: ['N', 3] }],
    initializers: new Map([['w', floatTensor('w', [3], [1, -2, 3])]]),
  });
}

describe('IR', () => {
  it('round-trips a model through ModelProto bytes', () => {
    const m = tiny();
    const back = decodeModel(encodeModel(m));
    expect(back.graph.nodes.map((n) => n.opType)).toEqual(['Relu', 'Mul']);
    expect(Array.from(back.graph.initializers.get('w')!.data as Float32Array)).toEqual([1, -2, 3]);
    expect(back.graph.inputs[0].shape).toEqual(['N', 3]);
    expect(defaultOpset(back)).toBe(17);
  });

  it('reads float_data and int64_data as well as raw_data', () => {
    const bytes = rawModel({
      node: [{ op_type: 'Reshape', input: ['x', 's'], output: ['y'] }],
      initializer: [
        { name: 'f', dims: [2], data_type: 1, float_data: [1.5, -2] },
        { name: 's', dims: [2], data_type: 7, int64_data: [-1, 3] },
      ],
      input: [vi('x', [2, 3])],
      output: [vi('y', [2, 3])],
    });
    const m = decodeModel(bytes);
    expect(Array.from(m.graph.initializers.get('f')!.data as Float32Array)).toEqual([1.5, -2]);
    expect(Array.from(m.graph.initializers.get('s')!.data as BigInt64Array)).toEqual([-1n, 3n]);
  });

  it('orders nodes topologically regardless of file order', () => {
    expect(topoSort(tiny().graph).map((n) => n.name)).toEqual(['a', 'b']);
  });
});

describe('hostile graphs', () => {
  it('a cycle', () => {
    const m = tiny();
    m.graph.nodes[1].inputs = ['x', 'y'];
    expectBadModel(() => validateModel(m), /cycle/);
    expectBadModel(() => buildGradGraph(m, { objectives: [{ objective: { kind: 'sumsq', tensor: 'y' } }] }), /cycle/);
  });

  it('a missing initializer (dangling input) names the node and tensor', () => {
    const m = tiny();
    m.graph.initializers.clear();
    expectBadModel(() => validateModel(m), /node "a" \(Mul\) reads "w"/);
  });

  it('an unknown op names its node', () => {
    const m = tiny();
    m.graph.nodes[0].opType = 'FancyAttention';
    expectBadModel(() => validateModel(m, { requireSupported: true }), /node "b" uses op FancyAttention/);
    expectBadModel(() => buildGradGraph(m, { objectives: [{ objective: { kind: 'sumsq', tensor: 'y' } }] }), /FancyAttention/);
  });

  it('external data pointing outside the model folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-onnx-'));
    const bytes = rawModel({
      node: [{ op_type: 'Mul', input: ['x', 'w'], output: ['y'] }],
      initializer: [
        { name: 'w', dims: [3], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: '../../etc/passwd' }] },
      ],
      input: [vi('x', [3])],
      output: [vi('y', [3])],
    });
    const file = path.join(dir, 'evil.onnx');
    fs.writeFileSync(file, bytes);
    expectBadModel(() => loadModel(file), /"w" external data "..\/..\/etc\/passwd" resolves outside the model folder/);
    const abs = rawModel({
      initializer: [{ name: 'w', dims: [3], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: '/etc/passwd' }] }],
      input: [vi('x', [3])],
      output: [vi('x', [3])],
    });
    expectBadModel(() => decodeModel(abs, { baseDir: dir }), /outside the model folder/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('external data through a symlink that leaves the folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-onnx-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-outside-'));
    fs.writeFileSync(path.join(outside, 'secret.bin'), Buffer.alloc(12));
    fs.symlinkSync(path.join(outside, 'secret.bin'), path.join(dir, 'w.bin'));
    const bytes = rawModel({
      initializer: [{ name: 'w', dims: [3], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: 'w.bin' }] }],
      input: [vi('x', [3])],
      output: [vi('x', [3])],
    });
    expectBadModel(() => decodeModel(bytes, { baseDir: dir }), /links outside the model folder/);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('external data inside the folder loads', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-onnx-'));
    fs.writeFileSync(path.join(dir, 'w.bin'), Buffer.from(Float32Array.of(0, 1, 2, 3, 4).buffer));
    const bytes = rawModel({
      initializer: [
        {
          name: 'w',
          dims: [3],
          data_type: 1,
          data_location: 1,
          external_data: [
            { key: 'location', value: 'w.bin' },
            { key: 'offset', value: '8' },
          ],
        },
      ],
      input: [vi('x', [3])],
      output: [vi('x', [3])],
    });
    fs.writeFileSync(path.join(dir, 'ok.onnx'), bytes);
    expect(Array.from(loadModel(path.join(dir, 'ok.onnx')).graph.initializers.get('w')!.data as Float32Array)).toEqual([2, 3, 4]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a 2^31 dimension in a value info or an initializer', () => {
    expectBadModel(
      () => decodeModel(rawModel({ input: [vi('x', [1, 2 ** 31])], output: [vi('x', [1, 2 ** 31])] })),
      /absurd dimension 2147483648/,
    );
    expectBadModel(
      () =>
        decodeModel(
          rawModel({ initializer: [{ name: 'big', dims: [2 ** 31], data_type: 1 }], input: [vi('x', [1])], output: [vi('x', [1])] }),
        ),
      /"big" has an absurd dimension/,
    );
    expectBadModel(
      () =>
        decodeModel(
          rawModel({ initializer: [{ name: 'huge', dims: [65536, 65536], data_type: 1 }], input: [vi('x', [1])], output: [vi('x', [1])] }),
        ),
      /"huge" has 4294967296 elements/,
    );
  });

  it('garbage bytes and initializer size mismatches', () => {
    expectBadModel(() => decodeModel(Uint8Array.from([0xff, 0xff, 0xff, 0x01, 0x02])), /not an ONNX model|no graph/);
    expectBadModel(
      () =>
        decodeModel(
          rawModel({
            initializer: [{ name: 'w', dims: [4], data_type: 1, float_data: [1, 2] }],
            input: [vi('x', [1])],
            output: [vi('x', [1])],
          }),
        ),
      /"w" holds 2 values for dims \[4\]/,
    );
  });

  it('an output nobody produces', () => {
    const m = tiny();
    m.graph.outputs.push({ name: 'ghost', elemType: 1 });
    expectBadModel(() => validateModel(m), /output "ghost" is never produced/);
  });
});
