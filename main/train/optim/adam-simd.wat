;; Adam / AdamW in float32, four elements at a time, with exactly the roundings of adamFast in rules.ts (and so
;; torch 1.13's CPU kernels): a single f32 operation rounds as JavaScript's Math.fround of the double result
;; does; the two fused multiply-adds (torch's addcmul/add with alpha) are computed in f64 and rounded once, as
;; adamFast does. Regenerate adam-simd-wasm.ts with `node scripts/build-wasm.js` after an edit.
;;
;; Memory (imported, one per parameter tensor): p at $p, g at $g, m at $m, v at $v, n float32 values each.
;; For Adam pass decay = 1 (p·1 is p exactly); AdamW passes 1 − lr·wd.
(module
  (import "env" "memory" (memory 1))

  ;; fused(a, b, c) = f32(f64(a)·f64(b) + f64(c)) lane-wise on four lanes: the low and high halves in f64x2.
  (func $fused (param $a v128) (param $b v128) (param $c v128) (result v128)
    (local $lo v128) (local $hi v128)
    (local.set $lo
      (f32x4.demote_f64x2_zero
        (f64x2.add
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $a)) (f64x2.promote_low_f32x4 (local.get $b)))
          (f64x2.promote_low_f32x4 (local.get $c)))))
    (local.set $hi
      (f32x4.demote_f64x2_zero
        (f64x2.add
          (f64x2.mul
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a)))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b))))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c) (local.get $c))))))
    ;; lanes 0, 1 of lo then lanes 0, 1 of hi
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)))

  (func (export "adam")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $decay f32) (param $negStep f32) (param $b1 f32) (param $ob1 f32) (param $b2 f32) (param $ob2 f32)
    (param $bc2 f32) (param $eps f32)
    (local $i i32) (local $end i32) (local $o i32)
    (local $d v128) (local $mi v128) (local $vi v128)
    (local $sd f32) (local $smi f32) (local $svi f32)
    (local $DECAY v128) (local $NEG v128) (local $B1 v128) (local $OB1 v128) (local $B2 v128) (local $OB2 v128)
    (local $BC2 v128) (local $EPS v128)
    (local.set $DECAY (f32x4.splat (local.get $decay)))
    (local.set $NEG (f32x4.splat (local.get $negStep)))
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $OB1 (f32x4.splat (local.get $ob1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $OB2 (f32x4.splat (local.get $ob2)))
    (local.set $BC2 (f32x4.splat (local.get $bc2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $d (v128.load (i32.add (local.get $g) (local.get $o))))
        ;; m ← f32(ob1·g + f32(m·b1))
        (local.set $mi
          (call $fused (local.get $OB1) (local.get $d)
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $o))) (local.get $B1))))
        (v128.store (i32.add (local.get $m) (local.get $o)) (local.get $mi))
        ;; v ← f32(f32(ob2·g)·g + f32(v·b2))
        (local.set $vi
          (call $fused (f32x4.mul (local.get $OB2) (local.get $d)) (local.get $d)
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $o))) (local.get $B2))))
        (v128.store (i32.add (local.get $v) (local.get $o)) (local.get $vi))
        ;; p ← f32(p·decay) + f32(−step·m) / (√v / bc2 + eps)
        (v128.store (i32.add (local.get $p) (local.get $o))
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $o))) (local.get $DECAY))
            (f32x4.div
              (f32x4.mul (local.get $NEG) (local.get $mi))
              (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vi)) (local.get $BC2)) (local.get $EPS)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    ;; the last n mod 4 values, the same operations on scalars
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $sd (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $smi
          (f32.demote_f64
            (f64.add
              (f64.mul (f64.promote_f32 (local.get $ob1)) (f64.promote_f32 (local.get $sd)))
              (f64.promote_f32 (f32.mul (f32.load (i32.add (local.get $m) (local.get $o))) (local.get $b1))))))
        (f32.store (i32.add (local.get $m) (local.get $o)) (local.get $smi))
        (local.set $svi
          (f32.demote_f64
            (f64.add
              (f64.mul (f64.promote_f32 (f32.mul (local.get $ob2) (local.get $sd))) (f64.promote_f32 (local.get $sd)))
              (f64.promote_f32 (f32.mul (f32.load (i32.add (local.get $v) (local.get $o))) (local.get $b2))))))
        (f32.store (i32.add (local.get $v) (local.get $o)) (local.get $svi))
        (f32.store (i32.add (local.get $p) (local.get $o))
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $p) (local.get $o))) (local.get $decay))
            (f32.div
              (f32.mul (local.get $negStep) (local.get $smi))
              (f32.add (f32.div (f32.sqrt (local.get $svi)) (local.get $bc2)) (local.get $eps)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))))
