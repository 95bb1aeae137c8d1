/**
 * Training on the wasm backend (opt-in): TF.js 4.22's wasm backend has no
 * `Conv2DBackpropFilter` kernel, so the gradient of every convolution fails there. This module
 * replaces the Conv2D gradient with one that computes the filter gradient from kernels the
 * wasm backend has (pad, strided slice, matMul, one product per filter tap) when the active
 * backend lacks the kernel, and uses the usual kernels otherwise (cpu, webgl: unchanged).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the default gradients first, so ours replaces them

type Conv2DAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/**
 * dW[kh, kw, ci, co] = Σ_{n, h, w} x_padded[n, h·sh + kh, w·sw + kw, ci] · dy[n, h, w, co]: one
 * matMul [Cin, N·H·W] × [N·H·W, Cout] per filter tap. NHWC.
 */
function filterGradByMatMul(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], attrs: Conv2DAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
    const [n, , , cin] = x.shape;
    const cout = filterShape[3];
    const { top, bottom, left, right } = info.padInfo;
    const xp = tf.pad(x, [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]]);
    const rows = n * info.outHeight * info.outWidth;
    const dy2 = tf.reshape(dy, [rows, cout]);
    const taps: tf.Tensor[] = [];
    for (let kh = 0; kh < info.filterHeight; kh++) {
      for (let kw = 0; kw < info.filterWidth; kw++) {
        const xs = tf.stridedSlice(
          xp,
          [0, kh, kw, 0],
          [n, kh + (info.outHeight - 1) * info.strideHeight + 1, kw + (info.outWidth - 1) * info.strideWidth + 1, cin],
          [1, info.strideHeight, info.strideWidth, 1],
        );
        taps.push(tf.matMul(tf.reshape(xs, [rows, cin]), dy2, true, false));
      }
    }
    return tf.reshape(tf.stack(taps), filterShape);
  });
}

let enabled = false;

/**
 * Makes convolutional models trainable on the wasm backend (see the module comment). Call once,
 * after importing TF.js; idempotent. Gradients on backends that have `Conv2DBackpropFilter`
 * are computed exactly as before.
 */
export function enableWasmTraining(): void {
  if (enabled) return;
  enabled = true;
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const a = attrs as unknown as Conv2DAttrs;
      const d = dy as tf.Tensor4D;
      const dil = typeof a.dilations === 'number' ? [a.dilations, a.dilations] : a.dilations;
      if (dil[0] !== 1 || dil[1] !== 1) throw new Error(`Error in gradient of conv2D: dilation rates greater than 1 are not supported, got ${dil}`);
      const common = { strides: a.strides, pad: a.pad, dataFormat: a.dataFormat, dimRoundingMode: a.dimRoundingMode };
      return {
        x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: d, filter }, { ...common, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
        filter: () => {
          if (tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined || a.dataFormat === 'NCHW') {
            return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: d }, { ...common, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
          }
          return filterGradByMatMul(x, d, filter.shape as [number, number, number, number], a);
        },
      };
    },
  });
}
