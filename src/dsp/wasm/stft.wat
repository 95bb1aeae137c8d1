;; Filtered magnitude spectra of signal frames in WebAssembly SIMD (float64), for
;; src/dsp/wasmStft.ts: windowing, FFT, magnitudes and a sparse filterbank, two frames per
;; complex FFT (frame A in the real part, frame B in the imaginary part).
;;
;; Why hand-written: the JS path (fft.js plus loops) spends ~0.4 s on the spectrogram of a
;; 3-minute song, a fifth of a whole transcription; no FFT library for the browser and Node
;; computes in float64 with SIMD (the float32 ones change |X| by ~1e-5 relative, more than the
;; reference fixtures allow). float64 keeps the results within rounding of the JS path.
;; Generated binary: src/dsp/wasm/stftBinary.ts (`npm run build:wasm`).
;;
;; Layout (byte addresses, chosen by the caller):
;;   signal   float32 samples; frame i reads winLen samples from signal + 4·starts[i]
;;   starts   int32 [count]
;;   window   float64 [winLen]
;;   twiddles per stage h = 2, 4, ..., n/2: h pairs of v128 (wr, wr), (−wi, wi) with
;;            w_j = exp(−iπ j / h)
;;   bitrev   int32 [n]: byte offset (16 · bit-reversed index) of FFT input position p
;;   work     float64 complex [n];  spec float64 pairs [numBins] (|A_k|, |B_k|)
;;   filterbank: fbStarts int32 [F], fbOffsets int32 [F + 1], fbWeights float32 [...]
;;   out      float64 [count, F]: out[i, f] = Σ_k W[f, k] |X_i[k]|
(module
  (memory (export "memory") 1)

  ;; In-place radix-2 decimation-in-time FFT of n complex values already in bit-reversed order.
  (func $fft (param $data i32) (param $n i32) (param $tw i32)
    (local $end i32) (local $h i32) (local $hb i32) (local $g i32) (local $p i32) (local $q i32) (local $lim i32) (local $j i32)
    (local $x v128) (local $y v128) (local $t v128)
    (local.set $end (i32.add (local.get $data) (i32.shl (local.get $n) (i32.const 4))))
    ;; Stage h = 1: the twiddle is 1.
    (local.set $p (local.get $data))
    (block $done1 (loop $loop1
      (br_if $done1 (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $x (v128.load (local.get $p)))
      (local.set $y (v128.load offset=16 (local.get $p)))
      (v128.store (local.get $p) (f64x2.add (local.get $x) (local.get $y)))
      (v128.store offset=16 (local.get $p) (f64x2.sub (local.get $x) (local.get $y)))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (br $loop1)))
    (local.set $h (i32.const 2))
    (block $stagesDone (loop $stages
      (br_if $stagesDone (i32.ge_u (local.get $h) (local.get $n)))
      (local.set $hb (i32.shl (local.get $h) (i32.const 4)))
      (local.set $g (local.get $data))
      (block $groupsDone (loop $groups
        (br_if $groupsDone (i32.ge_u (local.get $g) (local.get $end)))
        (local.set $p (local.get $g))
        (local.set $q (i32.add (local.get $g) (local.get $hb)))
        (local.set $lim (local.get $q))
        (local.set $j (local.get $tw))
        (block $pairsDone (loop $pairs
          (br_if $pairsDone (i32.ge_u (local.get $p) (local.get $lim)))
          (local.set $y (v128.load (local.get $q)))
          ;; t = y · w = y ⊙ (wr, wr) + swap(y) ⊙ (−wi, wi)
          (local.set $t (f64x2.add
            (f64x2.mul (local.get $y) (v128.load (local.get $j)))
            (f64x2.mul (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $y) (local.get $y)) (v128.load offset=16 (local.get $j)))))
          (local.set $x (v128.load (local.get $p)))
          (v128.store (local.get $p) (f64x2.add (local.get $x) (local.get $t)))
          (v128.store (local.get $q) (f64x2.sub (local.get $x) (local.get $t)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br $pairs)))
        (local.set $g (i32.add (local.get $g) (i32.shl (local.get $hb) (i32.const 1))))
        (br $groups)))
      (local.set $tw (i32.add (local.get $tw) (i32.shl (local.get $h) (i32.const 5))))
      (local.set $h (i32.shl (local.get $h) (i32.const 1)))
      (br $stages))))

  (func (export "filteredFrames")
    (param $signal i32) (param $starts i32) (param $count i32)
    (param $window i32) (param $winLen i32) (param $fftOffset i32)
    (param $n i32) (param $tw i32) (param $bitrev i32) (param $work i32)
    (param $spec i32) (param $numBins i32)
    (param $fbStarts i32) (param $fbOffsets i32) (param $fbWeights i32) (param $numFilters i32)
    (param $out i32)
    (local $i i32) (local $two i32) (local $k i32) (local $s0 i32) (local $s1 i32) (local $wp i32) (local $rp i32)
    (local $zp i32) (local $yp i32) (local $sp i32) (local $f i32) (local $w i32) (local $wEnd i32) (local $o i32)
    (local $wk f64) (local $z v128) (local $y v128) (local $u v128) (local $v v128) (local $sum v128)
    (local.set $i (i32.const 0))
    (block $framesDone (loop $frames
      (br_if $framesDone (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $two (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $count)))
      ;; Zero the FFT input (the window may be shorter than n).
      (local.set $zp (local.get $work))
      (local.set $yp (i32.add (local.get $work) (i32.shl (local.get $n) (i32.const 4))))
      (block $zeroDone (loop $zero
        (br_if $zeroDone (i32.ge_u (local.get $zp) (local.get $yp)))
        (v128.store (local.get $zp) (v128.const i64x2 0 0))
        (local.set $zp (i32.add (local.get $zp) (i32.const 16)))
        (br $zero)))
      ;; Windowed frames i (real part) and i + 1 (imaginary part), stored bit-reversed.
      (local.set $s0 (i32.add (local.get $signal) (i32.shl (i32.load (i32.add (local.get $starts) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2))))
      (local.set $s1 (select
        (i32.add (local.get $signal) (i32.shl (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))
        (i32.const 0)
        (local.get $two)))
      (local.set $wp (local.get $window))
      (local.set $rp (i32.add (local.get $bitrev) (i32.shl (local.get $fftOffset) (i32.const 2))))
      (local.set $k (i32.const 0))
      (block $winDone (loop $win
        (br_if $winDone (i32.ge_u (local.get $k) (local.get $winLen)))
        (local.set $wk (f64.load (local.get $wp)))
        (v128.store (i32.add (local.get $work) (i32.load (local.get $rp)))
          (f64x2.replace_lane 1
            (f64x2.splat (f64.mul (f64.promote_f32 (f32.load (local.get $s0))) (local.get $wk)))
            (if (result f64) (local.get $two)
              (then (f64.mul (f64.promote_f32 (f32.load (local.get $s1))) (local.get $wk)))
              (else (f64.const 0)))))
        (local.set $s0 (i32.add (local.get $s0) (i32.const 4)))
        (local.set $s1 (i32.add (local.get $s1) (i32.const 4)))
        (local.set $wp (i32.add (local.get $wp) (i32.const 8)))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $win)))
      (call $fft (local.get $work) (local.get $n) (local.get $tw))
      ;; Separate the two real spectra: A_k = (Z_k + conj Z_{n−k}) / 2, B_k = (Z_k − conj Z_{n−k}) / 2i.
      ;; With u = Z + Y, v = Z − Y (Y = Z_{n−k}): |A|² = u0² + v1², |B|² = u1² + v0².
      (v128.store (local.get $spec) (f64x2.abs (v128.load (local.get $work))))
      (local.set $zp (i32.add (local.get $work) (i32.const 16)))
      (local.set $yp (i32.add (local.get $work) (i32.shl (i32.sub (local.get $n) (i32.const 1)) (i32.const 4))))
      (local.set $sp (i32.add (local.get $spec) (i32.const 16)))
      (local.set $k (i32.const 1))
      (block $sepDone (loop $sep
        (br_if $sepDone (i32.ge_u (local.get $k) (local.get $numBins)))
        (local.set $z (v128.load (local.get $zp)))
        (local.set $y (v128.load (local.get $yp)))
        (local.set $u (f64x2.add (local.get $z) (local.get $y)))
        (local.set $v (f64x2.sub (local.get $z) (local.get $y)))
        (local.set $u (f64x2.mul (local.get $u) (local.get $u)))
        (local.set $v (f64x2.mul (local.get $v) (local.get $v)))
        (v128.store (local.get $sp) (f64x2.mul (v128.const f64x2 0.5 0.5)
          (f64x2.sqrt (f64x2.add (local.get $u) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))
        (local.set $zp (i32.add (local.get $zp) (i32.const 16)))
        (local.set $yp (i32.sub (local.get $yp) (i32.const 16)))
        (local.set $sp (i32.add (local.get $sp) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $sep)))
      ;; Filterbank, both frames at once.
      (local.set $o (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $numFilters)) (i32.const 3))))
      (local.set $f (i32.const 0))
      (block $filtersDone (loop $filters
        (br_if $filtersDone (i32.ge_u (local.get $f) (local.get $numFilters)))
        (local.set $w (i32.load (i32.add (local.get $fbOffsets) (i32.shl (local.get $f) (i32.const 2)))))
        (local.set $wEnd (i32.load offset=4 (i32.add (local.get $fbOffsets) (i32.shl (local.get $f) (i32.const 2)))))
        (local.set $sp (i32.add (local.get $spec) (i32.shl (i32.load (i32.add (local.get $fbStarts) (i32.shl (local.get $f) (i32.const 2)))) (i32.const 4))))
        (local.set $sum (v128.const f64x2 0 0))
        (block $tapsDone (loop $taps
          (br_if $tapsDone (i32.ge_u (local.get $w) (local.get $wEnd)))
          (local.set $sum (f64x2.add (local.get $sum)
            (f64x2.mul (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $fbWeights) (i32.shl (local.get $w) (i32.const 2)))))) (v128.load (local.get $sp)))))
          (local.set $sp (i32.add (local.get $sp) (i32.const 16)))
          (local.set $w (i32.add (local.get $w) (i32.const 1)))
          (br $taps)))
        (f64.store (i32.add (local.get $o) (i32.shl (local.get $f) (i32.const 3))) (f64x2.extract_lane 0 (local.get $sum)))
        (if (local.get $two) (then
          (f64.store (i32.add (local.get $o) (i32.shl (i32.add (local.get $f) (local.get $numFilters)) (i32.const 3))) (f64x2.extract_lane 1 (local.get $sum)))))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $filters)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $frames))))
)
