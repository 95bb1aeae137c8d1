/**
 * Learning-rate reduction on plateau and early stopping, both driven by the validation loss
 * once per epoch. TF-free state machines whose state is plain JSON (for checkpoints).
 */
import { InvalidArgumentError } from '../errors.js';

/** Options of {@link ReduceLROnPlateau}; the defaults are the thesis values. */
export interface ReduceLROnPlateauOptions {
  /** New lr = lr × factor. @defaultValue 0.2 */
  factor?: number;
  /** Epochs without improvement tolerated; the lr drops on the next one. @defaultValue 5 */
  patience?: number;
  /** Relative improvement needed: better when value < best × (1 − threshold). @defaultValue 1e-4 */
  threshold?: number;
  /** Epochs to wait after a reduction before counting again. @defaultValue 0 */
  cooldown?: number;
  /** Lower bound of the lr. @defaultValue 0 */
  minLearningRate?: number;
  /** Reductions smaller than this are skipped. @defaultValue 1e-8 */
  eps?: number;
}

/** Checkpoint state of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauState {
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
  learningRate: number;
}

function assertNumber(name: string, value: number, ok: boolean, expected: string): void {
  if (!ok) throw new InvalidArgumentError(`${name} = ${value}: expected ${expected}`, { field: name });
}

/**
 * `torch.optim.lr_scheduler.ReduceLROnPlateau` in mode 'min' with a relative threshold: after
 * more than `patience` epochs whose loss is not below best × (1 − threshold), the learning rate
 * is multiplied by `factor`.
 */
export class ReduceLROnPlateau {
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly cooldown: number;
  readonly minLearningRate: number;
  readonly eps: number;
  private state: ReduceLROnPlateauState;

  /**
   * @param learningRate - the initial learning rate.
   * @param options - see {@link ReduceLROnPlateauOptions}.
   * @throws InvalidArgumentError for a factor outside (0, 1), a negative patience and the like.
   */
  constructor(learningRate: number, options: ReduceLROnPlateauOptions = {}) {
    this.factor = options.factor ?? 0.2;
    this.patience = options.patience ?? 5;
    this.threshold = options.threshold ?? 1e-4;
    this.cooldown = options.cooldown ?? 0;
    this.minLearningRate = options.minLearningRate ?? 0;
    this.eps = options.eps ?? 1e-8;
    assertNumber('learningRate', learningRate, Number.isFinite(learningRate) && learningRate >= 0, 'a finite number >= 0');
    assertNumber('factor', this.factor, this.factor > 0 && this.factor < 1, 'a factor in (0, 1)');
    assertNumber('patience', this.patience, Number.isInteger(this.patience) && this.patience >= 0, 'an integer >= 0');
    assertNumber('threshold', this.threshold, Number.isFinite(this.threshold) && this.threshold >= 0, 'a number >= 0');
    assertNumber('cooldown', this.cooldown, Number.isInteger(this.cooldown) && this.cooldown >= 0, 'an integer >= 0');
    this.state = { best: Infinity, numBadEpochs: 0, cooldownCounter: 0, learningRate };
  }

  /** Current learning rate. */
  get learningRate(): number {
    return this.state.learningRate;
  }

  /** Epochs since the last improvement (reset to 0 by a reduction). */
  get numBadEpochs(): number {
    return this.state.numBadEpochs;
  }

  /** Best loss seen. */
  get best(): number {
    return this.state.best;
  }

  /**
   * Records one epoch's validation loss.
   * @param loss - the validation loss.
   * @returns the learning rate for the next epoch.
   * @throws InvalidArgumentError when `loss` is NaN.
   */
  step(loss: number): number {
    if (Number.isNaN(loss)) {
      throw new InvalidArgumentError('ReduceLROnPlateau.step: the loss is NaN', { field: 'loss' });
    }
    const s = this.state;
    if (loss < s.best * (1 - this.threshold)) {
      s.best = loss;
      s.numBadEpochs = 0;
    } else {
      s.numBadEpochs += 1;
    }
    if (s.cooldownCounter > 0) {
      s.cooldownCounter -= 1;
      s.numBadEpochs = 0;
    }
    if (s.numBadEpochs > this.patience) {
      const reduced = Math.max(s.learningRate * this.factor, this.minLearningRate);
      if (s.learningRate - reduced > this.eps) s.learningRate = reduced;
      s.cooldownCounter = this.cooldown;
      s.numBadEpochs = 0;
    }
    return s.learningRate;
  }

  /** JSON state for a checkpoint. */
  getState(): ReduceLROnPlateauState {
    return { ...this.state };
  }

  /** Restores {@link ReduceLROnPlateau.getState}. */
  setState(state: ReduceLROnPlateauState): void {
    this.state = { ...state, best: state.best === null ? Infinity : state.best };
  }
}

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** Stop after this many epochs in a row without improvement. @defaultValue 15 */
  patience?: number;
  /** Improvement needed: better when value < best − minDelta. @defaultValue 0 */
  minDelta?: number;
}

/** Checkpoint state of {@link EarlyStopping}. */
export interface EarlyStoppingState {
  best: number;
  epochsWithoutImprovement: number;
}

/**
 * Early stopping on the validation loss (the thesis: stop after 15 epochs without
 * improvement of the best validation loss).
 */
export class EarlyStopping {
  readonly patience: number;
  readonly minDelta: number;
  private state: EarlyStoppingState = { best: Infinity, epochsWithoutImprovement: 0 };

  /**
   * @param options - see {@link EarlyStoppingOptions}.
   * @throws InvalidArgumentError for a patience that is not a positive integer.
   */
  constructor(options: EarlyStoppingOptions = {}) {
    this.patience = options.patience ?? 15;
    this.minDelta = options.minDelta ?? 0;
    assertNumber('patience', this.patience, Number.isInteger(this.patience) && this.patience >= 1, 'an integer >= 1');
    assertNumber('minDelta', this.minDelta, Number.isFinite(this.minDelta) && this.minDelta >= 0, 'a number >= 0');
  }

  /** Epochs since the best loss. */
  get epochsWithoutImprovement(): number {
    return this.state.epochsWithoutImprovement;
  }

  /**
   * Records one epoch's validation loss.
   * @param loss - the validation loss (NaN counts as no improvement).
   * @returns true when training should stop.
   */
  step(loss: number): boolean {
    if (loss < this.state.best - this.minDelta) {
      this.state.best = loss;
      this.state.epochsWithoutImprovement = 0;
    } else {
      this.state.epochsWithoutImprovement += 1;
    }
    return this.state.epochsWithoutImprovement >= this.patience;
  }

  /** JSON state for a checkpoint. */
  getState(): EarlyStoppingState {
    return { ...this.state };
  }

  /** Restores {@link EarlyStopping.getState}. */
  setState(state: EarlyStoppingState): void {
    this.state = { ...state, best: state.best === null ? Infinity : state.best };
  }
}
