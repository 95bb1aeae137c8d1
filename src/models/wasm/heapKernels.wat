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
;; Max-pool gradient, NHWC, `channels` a multiple of 4: dx (zeroed by the caller) gets each
  ;; output's dy at the first maximum of its window, per channel (windows in row-major order,
  ;; as TF.js's cpu kernel). Two passes per window: the maximum, then the masked add.
  (func (export "maxPoolGrad")
    (param $x i32) (param $dy i32) (param $dx i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $channels i32)
    (param $outH i32) (param $outW i32) (param $strideH i32) (param $strideW i32) (param $filterH i32) (param $filterW i32)
    (param $top i32) (param $left i32)
    (local $b i32) (local $h i32) (local $w i32) (local $r0 i32) (local $r1 i32) (local $c0 i32) (local $c1 i32)
    (local $r i32) (local $col i32) (local $ch i32) (local $rowBytes i32) (local $at i32) (local $out i32)
    (local $best v128) (local $done v128) (local $mask v128) (local $g v128) (local $v v128)
    (local.set $rowBytes (i32.shl (local.get $channels) (i32.const 2)))
    (local.set $out (local.get $dy))
    (local.set $b (i32.const 0))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $h (i32.const 0))
      (block $hDone (loop $hLoop
        (br_if $hDone (i32.ge_u (local.get $h) (local.get $outH)))
        ;; rows [r0, r1) of the window, clamped to the input
        (local.set $r0 (i32.sub (i32.mul (local.get $h) (local.get $strideH)) (local.get $top)))
        (local.set $r1 (i32.add (local.get $r0) (local.get $filterH)))
        (if (i32.lt_s (local.get $r0) (i32.const 0)) (then (local.set $r0 (i32.const 0))))
        (if (i32.gt_s (local.get $r1) (local.get $inH)) (then (local.set $r1 (local.get $inH))))
        (local.set $w (i32.const 0))
        (block $wDone (loop $wLoop
          (br_if $wDone (i32.ge_u (local.get $w) (local.get $outW)))
          (local.set $c0 (i32.sub (i32.mul (local.get $w) (local.get $strideW)) (local.get $left)))
          (local.set $c1 (i32.add (local.get $c0) (local.get $filterW)))
          (if (i32.lt_s (local.get $c0) (i32.const 0)) (then (local.set $c0 (i32.const 0))))
          (if (i32.gt_s (local.get $c1) (local.get $inW)) (then (local.set $c1 (local.get $inW))))
          (local.set $ch (i32.const 0))
          (block $chDone (loop $chLoop
            (br_if $chDone (i32.ge_u (local.get $ch) (local.get $rowBytes)))
            ;; pass 1: the window maximum
            (local.set $best (v128.const f32x4 -inf -inf -inf -inf))
            (local.set $r (local.get $r0))
            (block $r1Done (loop $r1Loop
              (br_if $r1Done (i32.ge_s (local.get $r) (local.get $r1)))
              (local.set $col (local.get $c0))
              (block $c1Done (loop $c1Loop
                (br_if $c1Done (i32.ge_s (local.get $col) (local.get $c1)))
                (local.set $at (i32.add (i32.add (local.get $x) (local.get $ch))
                  (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $r)) (local.get $inW)) (local.get $col)) (local.get $rowBytes))))
                (local.set $best (f32x4.max (local.get $best) (v128.load (local.get $at))))
                (local.set $col (i32.add (local.get $col) (i32.const 1)))
                (br $c1Loop)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $r1Loop)))
            ;; pass 2: dy to the first element equal to the maximum
            (local.set $g (v128.load (i32.add (local.get $out) (local.get $ch))))
            (local.set $done (v128.const i32x4 0 0 0 0))
            (local.set $r (local.get $r0))
            (block $r2Done (loop $r2Loop
              (br_if $r2Done (i32.ge_s (local.get $r) (local.get $r1)))
              (local.set $col (local.get $c0))
              (block $c2Done (loop $c2Loop
                (br_if $c2Done (i32.ge_s (local.get $col) (local.get $c1)))
                (local.set $at (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $r)) (local.get $inW)) (local.get $col)) (local.get $rowBytes)))
                (local.set $v (v128.load (i32.add (i32.add (local.get $x) (local.get $ch)) (local.get $at))))
                ;; (−∞ never counts as a maximum, as in TF.js's cpu kernel: windows of only −∞ get nothing)
                (local.set $mask (v128.andnot
                  (v128.and (f32x4.eq (local.get $v) (local.get $best)) (f32x4.ne (local.get $v) (v128.const f32x4 -inf -inf -inf -inf)))
                  (local.get $done)))
                (local.set $done (v128.or (local.get $done) (local.get $mask)))
                (v128.store (i32.add (i32.add (local.get $dx) (local.get $ch)) (local.get $at))
                  (f32x4.add (v128.load (i32.add (i32.add (local.get $dx) (local.get $ch)) (local.get $at)))
                    (v128.and (local.get $g) (local.get $mask))))
                (local.set $col (i32.add (local.get $col) (i32.const 1)))
                (br $c2Loop)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $r2Loop)))
            (local.set $ch (i32.add (local.get $ch) (i32.const 16)))
            (br $chLoop)))
          (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
          (local.set $w (i32.add (local.get $w) (i32.const 1)))
          (br $wLoop)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $hLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop))))
;; e^x (Cody-Waite reduction, degree-7 polynomial; relative error ~1e-7), as in gruScan.wat.
  (func $exp (param $x v128) (result v128)
    (local $k v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)) (v128.const f32x4 88.3 88.3 88.3 88.3)))
    (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.98412698e-4 1.98412698e-4 1.98412698e-4 1.98412698e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.38888889e-3 1.38888889e-3 1.38888889e-3 1.38888889e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.33333333e-3 8.33333333e-3 8.33333333e-3 8.33333333e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.16666667e-2 4.16666667e-2 4.16666667e-2 4.16666667e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.66666667e-1 1.66666667e-1 1.66666667e-1 1.66666667e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; y = erf(x) over `total` values (a multiple of 4; the caller does the rest), with the
  ;; Abramowitz-Stegun 7.1.26 formula TF.js's cpu backend uses: for |x|, t = 1 / (1 + p|x|),
  ;; erf = 1 − (a1 t + … + a5 t⁵) e^(−x²), sign restored.
  (func (export "erf") (param $x i32) (param $y i32) (param $total i32)
    (local $end i32) (local $v v128) (local $a v128) (local $t v128) (local $poly v128) (local $r v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $total) (i32.const 2))))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $a (f32x4.abs (local.get $v)))
      (local.set $t (f32x4.div (v128.const f32x4 1 1 1 1)
        (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $a) (v128.const f32x4 0.3275911 0.3275911 0.3275911 0.3275911)))))
      (local.set $poly (v128.const f32x4 1.061405429 1.061405429 1.061405429 1.061405429))
      (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 -1.453152027 -1.453152027 -1.453152027 -1.453152027)))
      (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 1.421413741 1.421413741 1.421413741 1.421413741)))
      (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 -0.284496736 -0.284496736 -0.284496736 -0.284496736)))
      (local.set $poly (f32x4.add (f32x4.mul (local.get $poly) (local.get $t)) (v128.const f32x4 0.254829592 0.254829592 0.254829592 0.254829592)))
      (local.set $poly (f32x4.mul (local.get $poly) (local.get $t)))
      (local.set $r (f32x4.sub (v128.const f32x4 1 1 1 1)
        (f32x4.mul (local.get $poly) (call $exp (f32x4.neg (f32x4.mul (local.get $a) (local.get $a)))))))
      ;; copysign: the result's magnitude with the input's sign bit
      (v128.store (local.get $y) (v128.or (v128.and (local.get $r) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
        (v128.and (local.get $v) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $each))))
)
