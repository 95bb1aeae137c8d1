/** Global-norm gradient clipping with PyTorch's `clip_grad_norm_` semantics. */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, NonFiniteError } from '../errors.js';

/** Options of {@link clipGradientsByGlobalNorm}. */
export interface ClipGradientsOptions {
  /** Largest allowed global L2 norm. @defaultValue 2 (the thesis) */
  maxNorm?: number;
  /** Throw a {@link NonFiniteError} when the norm is NaN or infinite. @defaultValue true */
  errorIfNonFinite?: boolean;
}

/** Result of {@link clipGradientsByGlobalNorm}. */
export interface ClipGradientsResult {
  /** Clipped gradients, same names as the input (new tensors; the caller disposes them). */
  grads: tf.NamedTensorMap;
  /** Global L2 norm of the gradients before clipping. */
  totalNorm: number;
  /** Factor the gradients were multiplied by: min(1, maxNorm / (totalNorm + 1e-6)). */
  scale: number;
}

/**
 * Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)), ‖g‖ the L2 norm of all gradients
 * taken as one vector (torch.nn.utils.clip_grad_norm_ with norm_type 2, float32 arithmetic).
 * Reads the norm back from the backend (one small synchronous read), as PyTorch does when it
 * checks for non-finite norms.
 *
 * @param grads - gradients by variable name.
 * @param options - see {@link ClipGradientsOptions}.
 * @returns clipped gradients, the norm before clipping and the scale applied.
 * @throws NonFiniteError when the norm is NaN or ±Infinity (a diverged step: lower the learning
 *   rate, check the inputs for NaN); InvalidArgumentError when maxNorm is not positive.
 */
export function clipGradientsByGlobalNorm(grads: tf.NamedTensorMap, options: ClipGradientsOptions = {}): ClipGradientsResult {
  const maxNorm = options.maxNorm ?? 2;
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new InvalidArgumentError(`maxNorm = ${maxNorm}: expected a positive finite number`, { field: 'maxNorm' });
  }
  const names = Object.keys(grads).filter((n) => grads[n] != null);
  if (names.length === 0) return { grads: {}, totalNorm: 0, scale: 1 };
  const normT = tf.tidy(() => tf.norm(tf.stack(names.map((n) => tf.norm(grads[n])))));
  const totalNorm = (normT.dataSync() as Float32Array)[0];
  if ((options.errorIfNonFinite ?? true) && !Number.isFinite(totalNorm)) {
    normT.dispose();
    throw new NonFiniteError(
      `the global norm of the gradients is ${totalNorm}, so they cannot be clipped (the loss or the weights diverged, or the input holds NaN/Infinity)`,
      { field: 'grads' },
    );
  }
  const f = Math.fround;
  const scale = Math.min(1, f(f(maxNorm) / f(totalNorm + f(1e-6))));
  normT.dispose();
  const clipped: tf.NamedTensorMap = {};
  // Created in the caller's scope (not kept): inside tf.tidy they are freed with it.
  for (const n of names) clipped[n] = tf.mul(grads[n], scale);
  return { grads: clipped, totalNorm, scale };
}
