// Batches are made in JavaScript between ORT steps, so their cost adds to every training step. Timed, so it
// runs after the rest of the suite, alone (scripts/test.js): the bounds are for this machine idle, with room.
import { describe, expect, it } from 'vitest';
import { makeBatch } from '../../../../main/train/data/augment';
import type { ImageSet } from '../../../../main/train/data/cache';
import { seededRng } from '../../../../main/optim/rng';

function randomSet(n: number, size: number, channels: 1 | 3): ImageSet {
  const rng = seededRng(1);
  const data = new Uint8Array(n * size * size * channels).map(() => rng.int(0, 255));
  return { n, size, channels, data, labels: Int32Array.from({ length: n }, (_, i) => i % 3) };
}

/** The median of 21 timed calls after 10 to warm up. */
function medianMs(f: () => void): number {
  for (let i = 0; i < 10; i++) f();
  const t: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[10];
}

describe('makeBatch speed', () => {
  it('makes a Fashion-MNIST batch of 64 and an augmented CIFAR batch of 128 in a few milliseconds', () => {
    const mnist = randomSet(1000, 28, 1);
    const cifar = randomSet(1000, 32, 3);
    const rng = seededRng(1);
    const pick = (B: number) => Array.from({ length: B }, () => rng.int(0, 999));
    const plainMs = medianMs(() => makeBatch(mnist, pick(64), { augment: new Set(), mean: [0.5], std: [0.5], rng }));
    const augMs = medianMs(() =>
      makeBatch(cifar, pick(128), { augment: new Set(['flip', 'crop']), mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], rng }),
    );
    console.log(`makeBatch: MNIST 64 plain ${plainMs.toFixed(2)} ms, CIFAR 128 flip+crop ${augMs.toFixed(2)} ms`);
    // Measured here idle: ~0.3 ms and ~6 ms. A LeNet step is ~7 ms, so these would starve it well before the bounds.
    expect(plainMs).toBeLessThan(5);
    expect(augMs).toBeLessThan(40);
  });
});
