;; Element-wise and per-channel kernels that run directly on the wasm backend's heap: the
;; module imports TF.js's own WebAssembly.Memory (scripts/build-wasm.mjs also emits a variant
;; importing it as shared memory, for the threaded build), so tensors are used in place.
;;
;; Why hand-written: the per-channel passes of batch normalization (forward, gradient, the
;; per-channel sums of its statistics) run in plain JS loops otherwise (≈2–4 ns per value;
;; the stock C++ kernels are slower still), a quarter of a CRNN training step and of
;; inference. 128-bit SIMD does them at memory speed. All pointers are byte addresses;
;; `channels` is a multiple of 4 (the caller checks); f64 accumulators keep sums over
;; millions of values exact to float32 rounding.
(module
  (import "env" "memory" (memory 1))

  ;; y[i] = x[i] · a[c] + b[c], c = i mod channels.
  (func (export "affine") (param $x i32) (param $y i32) (param $total i32) (param $channels i32) (param $a i32) (param $b i32)
    (local $end i32) (local $c i32) (local $rowBytes i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $total) (i32.const 2))))
    (local.set $rowBytes (i32.shl (local.get $channels) (i32.const 2)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $c (i32.const 0))
      (block $rowDone (loop $cols
        (br_if $rowDone (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $y) (local.get $c))
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $c))) (v128.load (i32.add (local.get $a) (local.get $c))))
            (v128.load (i32.add (local.get $b) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cols)))
      (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
      (local.set $y (i32.add (local.get $y) (local.get $rowBytes)))
      (br $rows))))

  ;; acc[c] += Σ_rows x[row, c] (acc: `channels` f64, 8-byte aligned).
  (func (export "columnSums") (param $x i32) (param $total i32) (param $channels i32) (param $acc i32)
    (local $end i32) (local $c i32) (local $rowBytes i32) (local $v v128) (local $p i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $total) (i32.const 2))))
    (local.set $rowBytes (i32.shl (local.get $channels) (i32.const 2)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $c (i32.const 0))
      (block $rowDone (loop $cols
        (br_if $rowDone (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $c))))
        (local.set $p (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 1))))
        (v128.store offset=0 (local.get $p) (f64x2.add (v128.load offset=0 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $v))))
        (v128.store offset=16 (local.get $p) (f64x2.add (v128.load offset=16 (local.get $p))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cols)))
      (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
      (br $rows))))

  ;; Batch-norm gradient pass: dx = dy · factor[c]; sumDy[c] += dy; sumDyXc[c] += dy · (x − mean[c])
  ;; (sums in f64; sumDy and sumDyXc: `channels` f64 each).
  (func (export "batchNormGrad") (param $dy i32) (param $x i32) (param $dx i32) (param $total i32) (param $channels i32)
    (param $mean i32) (param $factor i32) (param $sumDy i32) (param $sumDyXc i32)
    (local $end i32) (local $c i32) (local $rowBytes i32) (local $d v128) (local $dxc v128) (local $p i32) (local $q i32)
    (local.set $end (i32.add (local.get $dy) (i32.shl (local.get $total) (i32.const 2))))
    (local.set $rowBytes (i32.shl (local.get $channels) (i32.const 2)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $dy) (local.get $end)))
      (local.set $c (i32.const 0))
      (block $rowDone (loop $cols
        (br_if $rowDone (i32.ge_u (local.get $c) (local.get $rowBytes)))
        (local.set $d (v128.load (i32.add (local.get $dy) (local.get $c))))
        (v128.store (i32.add (local.get $dx) (local.get $c)) (f32x4.mul (local.get $d) (v128.load (i32.add (local.get $factor) (local.get $c)))))
        (local.set $dxc (f32x4.mul (local.get $d) (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $c))) (v128.load (i32.add (local.get $mean) (local.get $c))))))
        (local.set $p (i32.add (local.get $sumDy) (i32.shl (local.get $c) (i32.const 1))))
        (local.set $q (i32.add (local.get $sumDyXc) (i32.shl (local.get $c) (i32.const 1))))
        (v128.store offset=0 (local.get $p) (f64x2.add (v128.load offset=0 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $d))))
        (v128.store offset=16 (local.get $p) (f64x2.add (v128.load offset=16 (local.get $p))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $d) (local.get $d)))))
        (v128.store offset=0 (local.get $q) (f64x2.add (v128.load offset=0 (local.get $q)) (f64x2.promote_low_f32x4 (local.get $dxc))))
        (v128.store offset=16 (local.get $q) (f64x2.add (v128.load offset=16 (local.get $q))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $dxc) (local.get $dxc)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cols)))
      (local.set $dy (i32.add (local.get $dy) (local.get $rowBytes)))
      (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
      (local.set $dx (i32.add (local.get $dx) (local.get $rowBytes)))
      (br $rows))))
)
