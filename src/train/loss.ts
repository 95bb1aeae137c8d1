/**
 * Training and validation losses of the thesis (SPEC §5): binary cross-entropy with logits per
 * frame and class, summed over classes, weighted per frame by the infrequency weights.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers the gradients of the tfjs-core ops (tfjs-core alone has none), in a
// form that works both in Node (CommonJS bundle) and in bundlers.
import '@tensorflow/tfjs-layers';
import { InvalidArgumentError, ShapeError } from '../errors.js';

function assertSameShape(logits: tf.Tensor, targets: tf.Tensor): void {
  if (logits.rank !== 3) {
    throw new ShapeError(`logits must be rank 3 [batch, frames, classes], got shape [${logits.shape.join(', ')}]`, { field: 'logits' });
  }
  if (!tf.util.arraysEqual(logits.shape, targets.shape)) {
    throw new ShapeError(
      `targets shape [${targets.shape.join(', ')}] differs from logits shape [${logits.shape.join(', ')}]; both must be [batch, frames, classes]`,
      { field: 'targets' },
    );
  }
}

/**
 * Element-wise binary cross-entropy on logits, in the numerically stable form
 * max(x, 0) - x y + log(1 + exp(-|x|)) (PyTorch's `BCEWithLogitsLoss(reduction='none')`).
 *
 * @param logits - model outputs before the sigmoid, any shape.
 * @param targets - targets in [0, 1], same shape.
 * @returns the loss per element, same shape.
 * @throws ShapeError when the shapes differ.
 */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  if (!tf.util.arraysEqual(logits.shape, targets.shape)) {
    throw new ShapeError(`targets shape [${targets.shape.join(', ')}] differs from logits shape [${logits.shape.join(', ')}]`, { field: 'targets' });
  }
  return tf.tidy(() => {
    // log(1 + exp(-|x|)) rather than log1p: it is what the reference computes, and 1 + e^-|x|
    // lies in (1, 2] so the two differ by less than an ulp of the result.
    const softplusNegAbs = tf.log(tf.add(1, tf.exp(tf.neg(tf.abs(logits)))));
    return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), softplusNegAbs);
  });
}

/**
 * Frame weights max(1, Σ_c y_c w_c) of the weighted loss (y includes the 0.5 widened values).
 *
 * @param targets - [batch, frames, classes].
 * @param weights - infrequency weights [classes] (tensor or array).
 * @returns [batch, frames].
 * @throws ShapeError when the weight count differs from the class count.
 */
export function timestepWeights(targets: tf.Tensor, weights: tf.Tensor1D | ArrayLike<number>): tf.Tensor {
  const classes = targets.shape[targets.rank - 1];
  const w = weights instanceof tf.Tensor ? weights : tf.tensor1d(Float32Array.from(weights as ArrayLike<number>));
  try {
    if (w.rank !== 1 || w.shape[0] !== classes) {
      throw new ShapeError(`weights must have one value per class (${classes}), got shape [${w.shape.join(', ')}]`, { field: 'weights' });
    }
    return tf.tidy(() => tf.maximum(tf.sum(tf.mul(targets, w), -1), 1));
  } finally {
    if (w !== weights) w.dispose();
  }
}

/**
 * The thesis training loss: BCE with logits per frame and class, summed over classes,
 * multiplied by the frame weight max(1, Σ_c y_c w_c), mean over batch and frames (not divided
 * by the class count). Differentiable (a TF.js op), for use inside `tf.variableGrads`.
 *
 * @param logits - model outputs [batch, frames, classes].
 * @param targets - frame targets in [0, 1] [batch, frames, classes].
 * @param weights - infrequency weights [classes] ({@link infrequencyWeights}).
 * @returns a scalar tensor.
 * @throws ShapeError on mismatched shapes.
 */
export function weightedBceWithLogits(logits: tf.Tensor, targets: tf.Tensor, weights: tf.Tensor1D | ArrayLike<number>): tf.Scalar {
  assertSameShape(logits, targets);
  const w = weights instanceof tf.Tensor ? weights : tf.tensor1d(Float32Array.from(weights as ArrayLike<number>));
  try {
    return tf.tidy(() => {
      const perFrame = tf.sum(bceWithLogits(logits, targets), -1);
      return tf.mean(tf.mul(perFrame, timestepWeights(targets, w))) as tf.Scalar;
    });
  } finally {
    if (w !== weights) w.dispose();
  }
}

/**
 * The thesis validation loss: the same BCE summed over classes, unweighted, mean over batch
 * and frames.
 *
 * @param logits - model outputs [batch, frames, classes].
 * @param targets - frame targets [batch, frames, classes].
 * @returns a scalar tensor.
 * @throws ShapeError on mismatched shapes.
 */
export function unweightedBceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  assertSameShape(logits, targets);
  return tf.tidy(() => tf.mean(tf.sum(bceWithLogits(logits, targets), -1)) as tf.Scalar);
}

/** Checks that a weight vector is finite and positive (used by the training entry points). */
export function assertValidClassWeights(weights: ArrayLike<number>, classes: number): void {
  if (weights.length !== classes) {
    throw new ShapeError(`classWeights: ${weights.length} values, expected one per class (${classes})`, { field: 'classWeights' });
  }
  for (let i = 0; i < weights.length; i++) {
    if (!Number.isFinite(weights[i]) || weights[i] < 0) {
      throw new InvalidArgumentError(`classWeights[${i}] = ${weights[i]}: expected a finite non-negative weight`, { field: 'classWeights' });
    }
  }
}
