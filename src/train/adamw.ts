/**
 * AdamW (Loshchilov & Hutter 2019) with PyTorch's semantics, as a TF.js optimizer.
 *
 * Hand-written because TF.js 4.22 has no AdamW, and its Adam differs from PyTorch's in the
 * placement of epsilon (TF.js: eps added to sqrt(v̂); PyTorch: to sqrt(v)/sqrt(1-β2^t)), which
 * changes early steps. One step, for every parameter p with gradient g (t counts from 1):
 *
 *   p ← p (1 − lr·λ)                       (decoupled weight decay)
 *   m ← β1 m + (1 − β1) g
 *   v ← β2 v + (1 − β2) g²
 *   p ← p − lr / (1 − β1^t) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)
 *
 * (torch.optim.AdamW with amsgrad = False, maximize = False.) The learning rate is a public
 * field so that schedulers can change it between steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeError } from '../errors.js';

/** `{ name, tensor }` pair (tfjs-core's NamedTensor, which its index does not export). */
type NamedTensor = { name: string; tensor: tf.Tensor };

/** Options of {@link AdamW}. */
export interface AdamWOptions {
  /** Learning rate. @defaultValue 1e-3 */
  learningRate?: number;
  /** Exponential decay of the first moment. @defaultValue 0.9 */
  beta1?: number;
  /** Exponential decay of the second moment. @defaultValue 0.999 */
  beta2?: number;
  /** Added to the bias-corrected sqrt(v). @defaultValue 1e-8 */
  epsilon?: number;
  /** Decoupled weight decay λ. @defaultValue 1e-2 (PyTorch's default) */
  weightDecay?: number;
}

/** Optimizer state in a backend-independent form, ordered like the variables passed. */
export interface AdamWState {
  /** Number of steps taken. */
  step: number;
  /** Learning rate at the time of export. */
  learningRate: number;
  /** First moments, one per variable (row-major values). */
  firstMoments: Float32Array[];
  /** Second moments, one per variable. */
  secondMoments: Float32Array[];
}

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
}

function checkRange(name: string, value: number, lo: number, hi: number, loOpen = false, hiOpen = false): void {
  const okLo = loOpen ? value > lo : value >= lo;
  const okHi = hiOpen ? value < hi : value <= hi;
  if (!Number.isFinite(value) || !okLo || !okHi) {
    throw new InvalidArgumentError(
      `${name} = ${value}: expected a value in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`,
      { field: name },
    );
  }
}

/** AdamW with PyTorch semantics; see the module comment. Registered for TF.js serialization. */
export class AdamW extends tf.Optimizer {
  /** @nocollapse */
  static get className(): string {
    return 'AdtAdamW';
  }

  /** Learning rate of the next step (schedulers change it). */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly slots = new Map<string, Slot>();
  /** Steps taken (PyTorch's `state['step']`; the same for every parameter here). */
  private stepCount = 0;

  /**
   * @param options - hyper-parameters; see {@link AdamWOptions}.
   * @throws InvalidArgumentError for values outside their ranges (lr ≥ 0, 0 ≤ β < 1, eps ≥ 0,
   *   λ ≥ 0).
   */
  constructor(options: AdamWOptions = {}) {
    super();
    this.learningRate = options.learningRate ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 1e-2;
    checkRange('learningRate', this.learningRate, 0, Infinity);
    checkRange('beta1', this.beta1, 0, 1, false, true);
    checkRange('beta2', this.beta2, 0, 1, false, true);
    checkRange('epsilon', this.epsilon, 0, Infinity);
    checkRange('weightDecay', this.weightDecay, 0, Infinity);
  }

  /** Number of steps taken so far. */
  get step(): number {
    return this.stepCount;
  }

  /**
   * One AdamW step.
   * @param variableGradients - gradients by variable name (as from `tf.variableGrads`), or a
   *   list of `{ name, tensor }`. Variables without a gradient are left untouched.
   */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: Array<[string, tf.Tensor]> = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as [string, tf.Tensor])
      : Object.entries(variableGradients);
    this.stepCount += 1;
    const t = this.stepCount;
    const lr = this.learningRate;
    // Scalars in double precision as PyTorch computes them in Python, cast to float32 by the ops.
    const decay = 1 - lr * this.weightDecay;
    const biasCorrection1 = 1 - this.beta1 ** t;
    const biasCorrection2Sqrt = Math.sqrt(1 - this.beta2 ** t);
    const stepSize = lr / biasCorrection1;
    tf.tidy(() => {
      for (const [name, gradient] of entries) {
        if (gradient == null) continue;
        const variable = tf.engine().registeredVariables[name];
        if (variable === undefined) {
          throw new InvalidArgumentError(`AdamW: no variable named "${name}" is registered`, { field: 'variableGradients' });
        }
        if (!tf.util.arraysEqual(variable.shape, gradient.shape)) {
          throw new ShapeError(`AdamW: gradient of "${name}" has shape [${gradient.shape.join(', ')}], variable has [${variable.shape.join(', ')}]`, { field: 'variableGradients' });
        }
        const slot = this.slotFor(name, variable);
        const decayed = tf.mul(variable, decay);
        const m = tf.add(tf.mul(slot.m, this.beta1), tf.mul(gradient, 1 - this.beta1));
        const v = tf.add(tf.mul(slot.v, this.beta2), tf.mul(tf.mul(gradient, gradient), 1 - this.beta2));
        const denom = tf.add(tf.div(tf.sqrt(v), biasCorrection2Sqrt), this.epsilon);
        slot.m.assign(m);
        slot.v.assign(v);
        variable.assign(tf.add(decayed, tf.mul(tf.div(m, denom), -stepSize)));
      }
    });
    this.incrementIterations();
  }

  private slotFor(name: string, variable: tf.Variable): Slot {
    let slot = this.slots.get(name);
    if (slot === undefined) {
      slot = tf.tidy(() => ({ m: tf.zerosLike(variable).variable(false), v: tf.zerosLike(variable).variable(false) }));
      this.slots.set(name, slot);
    }
    return slot;
  }

  /**
   * Exports the state for the given variables, in their order (names need not match on import,
   * so a checkpoint restores into a freshly built model whose variables have other names).
   * @param variables - the trained variables, e.g. `model.trainableWeights.map(w => w.read())`.
   * @returns moments (zeros for variables not yet stepped), step count and learning rate.
   */
  exportState(variables: readonly tf.Variable[]): AdamWState {
    const firstMoments: Float32Array[] = [];
    const secondMoments: Float32Array[] = [];
    for (const variable of variables) {
      const slot = this.slots.get(variable.name);
      const size = variable.size;
      firstMoments.push(slot ? Float32Array.from(slot.m.dataSync() as Float32Array) : new Float32Array(size));
      secondMoments.push(slot ? Float32Array.from(slot.v.dataSync() as Float32Array) : new Float32Array(size));
    }
    return { step: this.stepCount, learningRate: this.learningRate, firstMoments, secondMoments };
  }

  /**
   * Restores a state from {@link AdamW.exportState} onto `variables` (same order and shapes).
   * @throws ShapeError when counts or sizes differ.
   */
  importState(variables: readonly tf.Variable[], state: AdamWState): void {
    if (state.firstMoments.length !== variables.length || state.secondMoments.length !== variables.length) {
      throw new ShapeError(`AdamW state holds ${state.firstMoments.length} moments, but ${variables.length} variables were given`, { field: 'state' });
    }
    this.disposeSlots();
    variables.forEach((variable, i) => {
      const m = state.firstMoments[i];
      const v = state.secondMoments[i];
      if (m.length !== variable.size || v.length !== variable.size) {
        throw new ShapeError(`AdamW state for variable ${i} ("${variable.name}") has ${m.length} values, the variable has ${variable.size}`, { field: 'state' });
      }
      this.slots.set(variable.name, {
        m: tf.tensor(m, variable.shape, 'float32').variable(false),
        v: tf.tensor(v, variable.shape, 'float32').variable(false),
      });
    });
    this.stepCount = state.step;
    this.iterations_ = state.step;
    this.learningRate = state.learningRate;
  }

  private disposeSlots(): void {
    for (const slot of this.slots.values()) {
      slot.m.dispose();
      slot.v.dispose();
    }
    this.slots.clear();
  }

  /** Frees the moment variables. */
  override dispose(): void {
    this.disposeSlots();
  }

  /** TF.js weight list: iterations, then `<name>/m` and `<name>/v` for every variable. */
  override async getWeights(): Promise<NamedTensor[]> {
    const list: NamedTensor[] = [await this.saveIterations()];
    for (const [name, slot] of this.slots) list.push({ name: `${name}/m`, tensor: slot.m });
    for (const [name, slot] of this.slots) list.push({ name: `${name}/v`, tensor: slot.v });
    return list;
  }

  /** Inverse of {@link AdamW.getWeights}. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.stepCount = this.iterations_;
    this.disposeSlots();
    const moments = new Map<string, Partial<Record<'m' | 'v', tf.Tensor>>>();
    for (const { name, tensor } of rest) {
      const kind = name.endsWith('/m') ? 'm' : name.endsWith('/v') ? 'v' : null;
      if (kind === null) throw new InvalidArgumentError(`AdamW.setWeights: unexpected weight name "${name}" (expected "<variable>/m" or "<variable>/v")`, { field: 'weightValues' });
      const base = name.slice(0, -2);
      const entry = moments.get(base) ?? {};
      entry[kind] = tensor;
      moments.set(base, entry);
    }
    for (const [name, { m, v }] of moments) {
      if (m === undefined || v === undefined) throw new InvalidArgumentError(`AdamW.setWeights: "${name}" lacks its ${m === undefined ? 'm' : 'v'} moment`, { field: 'weightValues' });
      this.slots.set(name, { m: m.variable(false), v: v.variable(false) });
    }
  }

  /** Constructor arguments, for TF.js serialization. */
  getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
    };
  }

  /** @nocollapse */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new (cls as unknown as new (options: AdamWOptions) => T)(config as AdamWOptions);
  }
}
tf.serialization.registerClass(AdamW);
