;; GRU recurrence in WebAssembly SIMD (128-bit), for the cpu and wasm backends of TF.js.
;;
;; Why hand-written: TF.js runs a recurrent layer as two engine calls per time step (the
;; recurrent matMul and a gate kernel); for the small layers of the built-in model (72 units)
;; the per-call overhead dominates, and no backend offers a fused scan. This module runs a whole
;; direction of a layer in one call. Generated binary: src/models/wasm/gruScanBinary.ts
;; (`npm run build:wasm`; test/gruScan.test.ts checks that it matches this source).
;;
;; Layout (all float32, byte addresses): the caller pads the unit count H to HP, a multiple
;; of 16, and the batch to an even row count; gate blocks [r | z | n] each HP wide.
;;   proj  [T, rows, 3HP]  input projection (b_ir + b_hr, b_iz + b_hz, b_in folded in)
;;   w     [HP, 3HP]       recurrent weights (zero in the padding)
;;   bias  [3HP]           recurrent bias (b_hn in the n block, zeros elsewhere)
;;   hs    [T, rows, HP]   hidden states out;  ghs [T, rows, 3HP] recurrent products out
;; Equations (PyTorch): r = σ(pre_r + gh_r), z = σ(pre_z + gh_z),
;; n = tanh(pre_n + r ⊙ gh_n), h' = n + z ⊙ (h − n).
;; exp: Cody-Waite range reduction and a degree-7 polynomial (relative error ~1e-7);
;; tanh(x) = 1 − 2 / (1 + e^(2x)) (absolute error ~1e-7).
(module
  (memory (export "memory") 1)

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
    ;; 2^k through the exponent bits (k in [-126, 127] after the clamp).
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  (func $sigmoid (param $x v128) (result v128)
    (f32x4.div (v128.const f32x4 1 1 1 1)
      (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp (f32x4.neg (local.get $x))))))

  (func $tanh (param $x v128) (result v128)
    (f32x4.sub (v128.const f32x4 1 1 1 1)
      (f32x4.div (v128.const f32x4 2 2 2 2)
        (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp (f32x4.add (local.get $x) (local.get $x)))))))

  ;; out[b, j] = bias[j] + Σ_i x[b, i] · w[i, j]; rows even, outDim a multiple of 16.
  (func $matmul (export "matmul")
    (param $x i32) (param $rows i32) (param $inDim i32) (param $w i32) (param $outDim i32) (param $bias i32) (param $out i32)
    (local $b i32) (local $j i32) (local $i i32) (local $x0 i32) (local $x1 i32) (local $wp i32) (local $o i32)
    (local $inBytes i32) (local $outBytes i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $s0 v128) (local $s1 v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local.set $inBytes (i32.shl (local.get $inDim) (i32.const 2)))
    (local.set $outBytes (i32.shl (local.get $outDim) (i32.const 2)))
    (local.set $b (i32.const 0))
    (block $rowsDone (loop $rowsLoop
      (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $colsLoop
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $outDim)))
        (local.set $a0 (v128.load offset=0 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $a1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $a2 (v128.load offset=32 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $a3 (v128.load offset=48 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $a4 (local.get $a0)) (local.set $a5 (local.get $a1)) (local.set $a6 (local.get $a2)) (local.set $a7 (local.get $a3))
        (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $inBytes))))
        (local.set $x1 (i32.add (local.get $x0) (local.get $inBytes)))
        (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $i (i32.const 0))
        (block $innerDone (loop $innerLoop
          (br_if $innerDone (i32.ge_u (local.get $i) (local.get $inDim)))
          (local.set $s0 (v128.load32_splat (local.get $x0)))
          (local.set $s1 (v128.load32_splat (local.get $x1)))
          (local.set $w0 (v128.load offset=0 (local.get $wp)))
          (local.set $w1 (v128.load offset=16 (local.get $wp)))
          (local.set $w2 (v128.load offset=32 (local.get $wp)))
          (local.set $w3 (v128.load offset=48 (local.get $wp)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s0) (local.get $w0))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s0) (local.get $w1))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s0) (local.get $w2))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s0) (local.get $w3))))
          (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s1) (local.get $w0))))
          (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s1) (local.get $w1))))
          (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s1) (local.get $w2))))
          (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s1) (local.get $w3))))
          (local.set $x0 (i32.add (local.get $x0) (i32.const 4)))
          (local.set $x1 (i32.add (local.get $x1) (i32.const 4)))
          (local.set $wp (i32.add (local.get $wp) (local.get $outBytes)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $innerLoop)))
        (local.set $o (i32.add (i32.add (local.get $out) (i32.mul (local.get $b) (local.get $outBytes))) (i32.shl (local.get $j) (i32.const 2))))
        (v128.store offset=0 (local.get $o) (local.get $a0))
        (v128.store offset=16 (local.get $o) (local.get $a1))
        (v128.store offset=32 (local.get $o) (local.get $a2))
        (v128.store offset=48 (local.get $o) (local.get $a3))
        (local.set $o (i32.add (local.get $o) (local.get $outBytes)))
        (v128.store offset=0 (local.get $o) (local.get $a4))
        (v128.store offset=16 (local.get $o) (local.get $a5))
        (v128.store offset=32 (local.get $o) (local.get $a6))
        (v128.store offset=48 (local.get $o) (local.get $a7))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $colsLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 2)))
      (br $rowsLoop))))

  ;; One step's gates for `rows` rows: out = GRU(pre, gh, h).
  (func $gates (param $pre i32) (param $gh i32) (param $h i32) (param $out i32) (param $rows i32) (param $hp i32)
    (local $b i32) (local $j i32) (local $gate i32) (local $pp i32) (local $gp i32) (local $hq i32) (local $oq i32)
    (local $r v128) (local $z v128) (local $n v128) (local $hv v128)
    (local.set $gate (i32.shl (local.get $hp) (i32.const 2)))
    (local.set $b (i32.const 0))
    (block $rowsDone (loop $rowsLoop
      (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $rows)))
      (local.set $pp (i32.add (local.get $pre) (i32.mul (local.get $b) (i32.mul (local.get $gate) (i32.const 3)))))
      (local.set $gp (i32.add (local.get $gh) (i32.mul (local.get $b) (i32.mul (local.get $gate) (i32.const 3)))))
      (local.set $hq (i32.add (local.get $h) (i32.mul (local.get $b) (local.get $gate))))
      (local.set $oq (i32.add (local.get $out) (i32.mul (local.get $b) (local.get $gate))))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $colsLoop
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $hp)))
        (local.set $r (call $sigmoid (f32x4.add (v128.load (local.get $pp)) (v128.load (local.get $gp)))))
        (local.set $z (call $sigmoid (f32x4.add
          (v128.load (i32.add (local.get $pp) (local.get $gate)))
          (v128.load (i32.add (local.get $gp) (local.get $gate))))))
        (local.set $n (call $tanh (f32x4.add
          (v128.load (i32.add (local.get $pp) (i32.shl (local.get $gate) (i32.const 1))))
          (f32x4.mul (local.get $r) (v128.load (i32.add (local.get $gp) (i32.shl (local.get $gate) (i32.const 1))))))))
        (local.set $hv (v128.load (local.get $hq)))
        (v128.store (local.get $oq) (f32x4.add (local.get $n) (f32x4.mul (local.get $z) (f32x4.sub (local.get $hv) (local.get $n)))))
        (local.set $pp (i32.add (local.get $pp) (i32.const 16)))
        (local.set $gp (i32.add (local.get $gp) (i32.const 16)))
        (local.set $hq (i32.add (local.get $hq) (i32.const 16)))
        (local.set $oq (i32.add (local.get $oq) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $colsLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $rowsLoop))))

  ;; One direction over `steps` steps. ghs gets every step's recurrent product when saveGh is 1
  ;; (training), else only a [rows, 3HP] scratch at ghs. zeros: rows·HP zero floats (h_0).
  (func (export "gruForward")
    (param $proj i32) (param $w i32) (param $bias i32) (param $hs i32) (param $ghs i32) (param $zeros i32)
    (param $steps i32) (param $rows i32) (param $hp i32) (param $reverse i32) (param $saveGh i32)
    (local $s i32) (local $time i32) (local $projStep i32) (local $hStep i32) (local $hPrev i32) (local $ghT i32) (local $hOut i32)
    (local.set $projStep (i32.mul (i32.mul (local.get $rows) (local.get $hp)) (i32.const 12)))
    (local.set $hStep (i32.mul (i32.mul (local.get $rows) (local.get $hp)) (i32.const 4)))
    (local.set $hPrev (local.get $zeros))
    (local.set $s (i32.const 0))
    (block $done (loop $stepLoop
      (br_if $done (i32.ge_u (local.get $s) (local.get $steps)))
      (local.set $time (select (i32.sub (i32.sub (local.get $steps) (i32.const 1)) (local.get $s)) (local.get $s) (local.get $reverse)))
      (local.set $ghT (select (i32.add (local.get $ghs) (i32.mul (local.get $time) (local.get $projStep))) (local.get $ghs) (local.get $saveGh)))
      (call $matmul (local.get $hPrev) (local.get $rows) (local.get $hp) (local.get $w) (i32.mul (local.get $hp) (i32.const 3)) (local.get $bias) (local.get $ghT))
      (local.set $hOut (i32.add (local.get $hs) (i32.mul (local.get $time) (local.get $hStep))))
      (call $gates (i32.add (local.get $proj) (i32.mul (local.get $time) (local.get $projStep))) (local.get $ghT) (local.get $hPrev) (local.get $hOut) (local.get $rows) (local.get $hp))
      (local.set $hPrev (local.get $hOut))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $stepLoop))))

  ;; Gate gradients of one step: d = dy + dhd + dhm (the gradient reaching h from the output,
  ;; from the next step's gates directly, and through the next step's matMul); writes
  ;; dPre, dGh and the direct part dhd = d ⊙ z (in place).
  (func $gatesGrad (param $dy i32) (param $dhd i32) (param $dhm i32) (param $pre i32) (param $gh i32) (param $h i32)
    (param $dPre i32) (param $dGh i32) (param $rows i32) (param $hp i32)
    (local $b i32) (local $j i32) (local $gate i32) (local $g2 i32) (local $row3 i32) (local $row1 i32) (local $k3 i32) (local $k1 i32)
    (local $r v128) (local $z v128) (local $n v128) (local $ghn v128) (local $d v128) (local $dan v128) (local $dar v128) (local $daz v128)
    (local $one v128)
    (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $gate (i32.shl (local.get $hp) (i32.const 2)))
    (local.set $g2 (i32.shl (local.get $gate) (i32.const 1)))
    (local.set $b (i32.const 0))
    (block $rowsDone (loop $rowsLoop
      (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $rows)))
      (local.set $row3 (i32.mul (local.get $b) (i32.mul (local.get $gate) (i32.const 3))))
      (local.set $row1 (i32.mul (local.get $b) (local.get $gate)))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $colsLoop
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $gate)))
        (local.set $k3 (i32.add (local.get $row3) (local.get $j)))
        (local.set $k1 (i32.add (local.get $row1) (local.get $j)))
        (local.set $r (call $sigmoid (f32x4.add (v128.load (i32.add (local.get $pre) (local.get $k3))) (v128.load (i32.add (local.get $gh) (local.get $k3))))))
        (local.set $z (call $sigmoid (f32x4.add
          (v128.load (i32.add (i32.add (local.get $pre) (local.get $k3)) (local.get $gate)))
          (v128.load (i32.add (i32.add (local.get $gh) (local.get $k3)) (local.get $gate))))))
        (local.set $ghn (v128.load (i32.add (i32.add (local.get $gh) (local.get $k3)) (local.get $g2))))
        (local.set $n (call $tanh (f32x4.add
          (v128.load (i32.add (i32.add (local.get $pre) (local.get $k3)) (local.get $g2)))
          (f32x4.mul (local.get $r) (local.get $ghn)))))
        (local.set $d (f32x4.add (v128.load (i32.add (local.get $dy) (local.get $k1)))
          (f32x4.add (v128.load (i32.add (local.get $dhd) (local.get $k1))) (v128.load (i32.add (local.get $dhm) (local.get $k1))))))
        ;; dan = d(1 − z)(1 − n²); daz = d(h − n) z (1 − z); dar = dan · gh_n · r (1 − r)
        (local.set $dan (f32x4.mul (f32x4.mul (local.get $d) (f32x4.sub (local.get $one) (local.get $z)))
          (f32x4.sub (local.get $one) (f32x4.mul (local.get $n) (local.get $n)))))
        (local.set $daz (f32x4.mul (f32x4.mul (local.get $d) (f32x4.sub (v128.load (i32.add (local.get $h) (local.get $k1))) (local.get $n)))
          (f32x4.mul (local.get $z) (f32x4.sub (local.get $one) (local.get $z)))))
        (local.set $dar (f32x4.mul (f32x4.mul (local.get $dan) (local.get $ghn))
          (f32x4.mul (local.get $r) (f32x4.sub (local.get $one) (local.get $r)))))
        (v128.store (i32.add (local.get $dhd) (local.get $k1)) (f32x4.mul (local.get $d) (local.get $z)))
        (v128.store (i32.add (local.get $dPre) (local.get $k3)) (local.get $dar))
        (v128.store (i32.add (i32.add (local.get $dPre) (local.get $k3)) (local.get $gate)) (local.get $daz))
        (v128.store (i32.add (i32.add (local.get $dPre) (local.get $k3)) (local.get $g2)) (local.get $dan))
        (v128.store (i32.add (local.get $dGh) (local.get $k3)) (local.get $dar))
        (v128.store (i32.add (i32.add (local.get $dGh) (local.get $k3)) (local.get $gate)) (local.get $daz))
        (v128.store (i32.add (i32.add (local.get $dGh) (local.get $k3)) (local.get $g2)) (f32x4.mul (local.get $dan) (local.get $r)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $colsLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $rowsLoop))))

  ;; Backward pass through time of one direction (the steps in the reverse of the forward
  ;; order). wT [3HP, HP] is w transposed; dhd, dhm: rows·HP scratch, zero on entry;
  ;; zeros: at least 3HP + rows·HP zero floats.
  (func (export "gruBackward")
    (param $dy i32) (param $proj i32) (param $ghs i32) (param $hs i32) (param $wT i32)
    (param $dPre i32) (param $dGh i32) (param $dhd i32) (param $dhm i32) (param $zeros i32)
    (param $steps i32) (param $rows i32) (param $hp i32) (param $reverse i32)
    (local $s i32) (local $time i32) (local $prev i32) (local $projStep i32) (local $hStep i32) (local $hPrev i32)
    (local.set $projStep (i32.mul (i32.mul (local.get $rows) (local.get $hp)) (i32.const 12)))
    (local.set $hStep (i32.mul (i32.mul (local.get $rows) (local.get $hp)) (i32.const 4)))
    (local.set $s (local.get $steps))
    (block $done (loop $stepLoop
      (br_if $done (i32.eqz (local.get $s)))
      (local.set $s (i32.sub (local.get $s) (i32.const 1)))
      (local.set $time (select (i32.sub (i32.sub (local.get $steps) (i32.const 1)) (local.get $s)) (local.get $s) (local.get $reverse)))
      (local.set $prev (select (i32.add (local.get $time) (i32.const 1)) (i32.sub (local.get $time) (i32.const 1)) (local.get $reverse)))
      (local.set $hPrev (select (local.get $zeros) (i32.add (local.get $hs) (i32.mul (local.get $prev) (local.get $hStep))) (i32.eqz (local.get $s))))
      (call $gatesGrad
        (i32.add (local.get $dy) (i32.mul (local.get $time) (local.get $hStep))) (local.get $dhd) (local.get $dhm)
        (i32.add (local.get $proj) (i32.mul (local.get $time) (local.get $projStep)))
        (i32.add (local.get $ghs) (i32.mul (local.get $time) (local.get $projStep)))
        (local.get $hPrev)
        (i32.add (local.get $dPre) (i32.mul (local.get $time) (local.get $projStep)))
        (i32.add (local.get $dGh) (i32.mul (local.get $time) (local.get $projStep)))
        (local.get $rows) (local.get $hp))
      (call $matmul (i32.add (local.get $dGh) (i32.mul (local.get $time) (local.get $projStep))) (local.get $rows)
        (i32.mul (local.get $hp) (i32.const 3)) (local.get $wT) (local.get $hp) (local.get $zeros) (local.get $dhm))
      (br $stepLoop))))
)
