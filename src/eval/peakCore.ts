/**
 * The per-frame tests of Böck/Vogl peak picking, shared by the offline
 * {@link peakPick} and the streaming `OnlinePeakPicker` so that both give
 * bit-identical decisions (internal).
 */

/** Resolved peak-picking parameters (adtkit semantics). */
export interface PeakParams {
  /** m: maximum window half-width [frames]. */
  maxRadius: number;
  /** a: mean window half-width [frames]. */
  meanRadius: number;
  /** w: minimum distance to the previous onset [frames]. */
  minDistance: number;
  /** δ: margin over the local mean. */
  delta: number;
  /** Onsets need a height strictly above this. */
  threshold: number;
  /** Only past and present frames in the windows. */
  causal: boolean;
}

/**
 * Whether frame `n` of class `cls` passes the height, maximum and mean tests
 * (the minimum-distance rule is the caller's). The value of frame `k` is
 * `buf[(k - base) * stride + cls]` for `0 <= k < end` and 0 otherwise (zero
 * padding); callers guarantee `k >= base` for every frame the windows touch.
 *
 * Sums run in float64 in increasing frame order, so the offline and online
 * pickers agree exactly.
 */
export function passesPeakTests(
  buf: ArrayLike<number>,
  stride: number,
  cls: number,
  base: number,
  end: number,
  n: number,
  p: PeakParams,
): boolean {
  const v = buf[(n - base) * stride + cls];
  if (!(v > p.threshold)) return false;
  const maxLast = p.causal ? n : n + p.maxRadius;
  for (let k = n - p.maxRadius; k <= maxLast; k++) {
    const u = k < 0 || k >= end ? 0 : buf[(k - base) * stride + cls];
    if (u > v) return false;
  }
  const meanFirst = n - p.meanRadius;
  const meanLast = p.causal ? n : n + p.meanRadius;
  let sum = 0;
  for (let k = meanFirst; k <= meanLast; k++) {
    if (k >= 0 && k < end) sum += buf[(k - base) * stride + cls];
  }
  return v >= sum / (meanLast - meanFirst + 1) + p.delta;
}

/**
 * The thesis `compute_peaks` on one `[frames, classes]` block starting at element `offset`
 * of `data`, in float32 arithmetic as PyTorch computes it:
 * `is_peak = (a == max(window)) & (a >= mean(window) + delta)` over the zero-padded window
 * of 2m+1 frames (mean = float32 sequential sum / (2m+1)), then, per class, the distance rule
 * `peak - last > w` with `last = -(w - 1)`, updated by every kept peak, including
 * zero-valued ones (with delta <= 0 an all-zero window is a "peak").
 *
 * Frames are visited in order with all classes of a frame together (one pass over the
 * frame-major data). Returns, per class, the kept frames in increasing order (heights may be 0).
 */
export function thesisKeptPeaks(
  data: ArrayLike<number>,
  offset: number,
  frames: number,
  classes: number,
  maxRadius: number,
  minDistance: number,
  delta: number,
): number[][] {
  const fround = Math.fround;
  const width = 2 * maxRadius + 1;
  const delta32 = fround(delta);
  const kept: number[][] = Array.from({ length: classes }, () => []);
  const last = new Float64Array(classes).fill(-(minDistance - 1));
  for (let n = 0; n < frames; n++) {
    for (let cls = 0; cls < classes; cls++) {
      const v = data[offset + n * classes + cls];
      // a == max(window): no value of the window (padded zeros included) is larger.
      let isMax = true;
      for (let k = n - maxRadius; k <= n + maxRadius; k++) {
        const u = k < 0 || k >= frames ? 0 : data[offset + k * classes + cls];
        if (u > v) {
          isMax = false;
          break;
        }
      }
      if (!isMax) continue;
      // torch sums the window sequentially in float32 (padded zeros included), then divides.
      let sum = 0;
      for (let k = n - maxRadius; k <= n + maxRadius; k++) {
        sum = fround(sum + (k < 0 || k >= frames ? 0 : data[offset + k * classes + cls]));
      }
      const mean = fround(sum / width);
      if (!(v >= fround(mean + delta32))) continue;
      if (n - last[cls] > minDistance) {
        kept[cls].push(n);
        last[cls] = n;
      }
    }
  }
  return kept;
}
