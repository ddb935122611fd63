import Foundation
import Testing
@testable import Tensors

/// The fused attention ops (Tape+Attention.swift): finite differences, and
/// equality with the composed reference ops of Tape+Graph.swift.
@Suite struct AttentionOpsTests {
    let tol = 1e-2
    func x(_ r: Int, _ c: Int, _ s: UInt64) -> Matrix { GradientCheck.random(r, c, seed: s) }

    func check(_ inputs: [Matrix], _ build: (Tape, [Variable]) -> Variable,
               sourceLocation: SourceLocation = #_sourceLocation) {
        for e in GradientCheck.relativeErrors(inputs, build) {
            #expect(e < tol, "relative error \(e)", sourceLocation: sourceLocation)
        }
    }

    /// A square pattern with a self-loop on every row (GAT's graph), plus row 1 holding only its loop.
    static func loopedOperator(_ n: Int = 6, seed: UInt64 = 5) -> SparseOperator {
        let csr = GradientCheck.randomCSR(rows: n, cols: n, density: 0.45, seed: seed)
        var t: [(row: Int, col: Int, value: Float)] = []
        for r in 0..<n {
            for p in csr.rowStart[r]..<csr.rowStart[r + 1] where Int(csr.colIndex[p]) != r { t.append((r, Int(csr.colIndex[p]), 1)) }
            t.append((r, r, 1))
        }
        return SparseOperator(CSRMatrix(rows: n, cols: n, triplets: t))
    }

    @Test(arguments: [1, 3])
    func headDots(heads: Int) {
        check([x(5, 4 * heads, 1), x(heads, 4, 2)]) { t, v in t.headDots(v[0], v[1]) }
    }

    /// Source halves in ±[0.5, 1], destination halves in ±[0.05, 0.2]: every
    /// logit is at least 0.3 from LeakyReLU's kink, so central differences
    /// never straddle it, while mixed signs keep the destination gradient
    /// nonzero (with all logits on one side, a row's destination term would
    /// cancel in the softmax).
    @Test(arguments: [1, 2])
    func edgeAttentionGradients(heads: Int) {
        let looped = Self.loopedOperator()
        // A rectangular pattern with an empty row works too.
        let rect = SparseOperator(GradientCheck.randomCSR(rows: 5, cols: 7, density: 0.5, seed: 6))
        for op in [looped, rect] {
            let s = x(op.cols, heads, 3).map { $0 > 0 ? 0.5 + 0.5 * $0 : -0.5 + 0.5 * $0 }
            let d = x(op.rows, heads, 4).map { $0 > 0 ? 0.05 + 0.15 * $0 : -0.05 + 0.15 * $0 }
            check([s, d]) { t, v in t.edgeAttention(op, source: t.scale(v[0], 2), destination: t.scale(v[1], 2), slope: 0.2) }
        }
    }

    @Test(arguments: [1, 2])
    func edgeAttentionEqualsTheComposedOps(heads: Int) {
        let op = Self.loopedOperator()
        let s = x(6, heads, 7), d = x(6, heads, 8), g = x(op.nonZeroCount, heads, 9)
        let fused = Tape(), composed = Tape()
        let (fs, fd) = (fused.parameter(s), fused.parameter(d))
        let (cs, cd) = (composed.parameter(s), composed.parameter(d))
        let a = fused.edgeAttention(op, source: fs, destination: fd, slope: 0.2)
        let b = composed.edgeSoftmax(op, composed.leakyRelu(composed.add(composed.gatherEdgeSources(op, cs),
                                                                         composed.gatherEdgeDestinations(op, cd)), slope: 0.2))
        #expect(fused.value(a).maxAbsDifference(composed.value(b)) < 1e-6)
        fused.backward(a, seed: g)
        composed.backward(b, seed: g)
        #expect(fused.gradient(fs)!.maxAbsDifference(composed.gradient(cs)!) < 1e-5)
        #expect(fused.gradient(fd)!.maxAbsDifference(composed.gradient(cd)!) < 1e-5)
    }

    @Test func edgeAttentionIsStableForHugeLogitsAndSumsToOne() {
        let op = Self.loopedOperator(8, seed: 9)
        var s = x(8, 2, 10), d = x(8, 2, 11)
        s.scale(by: 1e4); d.scale(by: 3e4)   // exp would overflow without the max shift
        let t = Tape()
        let w = t.value(t.edgeAttention(op, source: t.constant(s), destination: t.constant(d)))
        #expect(w.storage.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        for r in 0..<op.rows {
            for k in 0..<2 {
                let total = (op.matrix.rowStart[r]..<op.matrix.rowStart[r + 1]).reduce(Float(0)) { $0 + w[$1, k] }
                #expect(abs(total - 1) < 1e-5)
            }
        }
    }

    @Test(arguments: [1, 2])
    func attendGradientsAndEqualityWithWeightedSpmm(heads: Int) {
        let op = Self.loopedOperator()
        check([x(op.nonZeroCount, heads, 12), x(6, 3 * heads, 13)]) { t, v in t.attend(op, v[0], v[1]) }
        let a = x(op.nonZeroCount, heads, 14), h = x(6, 3 * heads, 15), g = x(6, 3 * heads, 16)
        let t1 = Tape(), t2 = Tape()
        let (a1, h1, a2, h2) = (t1.parameter(a), t1.parameter(h), t2.parameter(a), t2.parameter(h))
        let o1 = t1.attend(op, a1, h1), o2 = t2.weightedSpmm(op, a2, h2)
        // Equal up to rounding: weightedSpmm may run the fused-multiply-add (AVX2) kernel.
        #expect(t1.value(o1).maxAbsDifference(t2.value(o2)) < 1e-5)
        t1.backward(o1, seed: g); t2.backward(o2, seed: g)
        #expect(t1.gradient(a1)!.maxAbsDifference(t2.gradient(a2)!) < 1e-5)
        #expect(t1.gradient(h1)!.maxAbsDifference(t2.gradient(h2)!) < 1e-5)
    }

    @Test(arguments: [1, 2])
    func attendSharedAndHeadMatmulGradients(heads: Int) {
        let op = Self.loopedOperator()
        // Widths 3 (scalar tail), 8 (one SIMD8 slice) and 40 (a 32-wide slice plus 8).
        for d in [3, 8, 40] {
            check([x(op.nonZeroCount, heads, 30), x(6, d, 31)]) { t, v in t.attendShared(op, v[0], v[1]) }
        }
        check([x(op.nonZeroCount, heads, 32), x(6, 40 * heads, 33)]) { t, v in t.attend(op, v[0], v[1]) }
        check([x(5, 3 * heads, 34), x(3, 4 * heads, 35)]) { t, v in t.headMatmul(v[0], v[1], heads: heads) }
    }

    /// Aggregating then projecting per head equals projecting then aggregating.
    @Test(arguments: [1, 3])
    func aggregateThenProjectEqualsProjectThenAggregate(heads: Int) {
        let op = Self.loopedOperator()
        let a = x(op.nonZeroCount, heads, 36), h = x(6, 5, 37), w = x(5, 7 * heads, 38)
        let t = Tape()
        let first = t.value(t.headMatmul(t.attendShared(op, t.constant(a), t.constant(h)), t.constant(w), heads: heads))
        let second = t.value(t.attend(op, t.constant(a), t.matmul(t.constant(h), t.constant(w))))
        #expect(first.maxAbsDifference(second) < 1e-5)
    }

    @Test func simdExpMatchesLibm() {
        var worst: Double = 0
        var x: Float = -87
        while x <= 87.8 {   // lanes reach x + 0.096, inside the clamp
            let v = SIMD8<Float>((0..<8).map { x + Float($0) * 0.0137 })
            let e = AttentionKernels.exp(v)
            for l in 0..<8 {
                let want = Foundation.exp(Double(v[l]))
                worst = max(worst, abs(Double(e[l]) - want) / want)
            }
            x += 0.1
        }
        #expect(worst < 1e-6, "relative error \(worst)")
        var strided: [Float] = [1, 9, 2, 9, 3, 9]
        strided.withUnsafeMutableBufferPointer { AttentionKernels.expInPlace($0.baseAddress!, count: 3, stride: 2, minus: 3) }
        #expect(abs(strided[0] - expf(-2)) < 1e-7 && strided[1] == 9 && abs(strided[4] - 1) < 1e-7)
    }

    @Test func headMeanAndELU() {
        check([x(4, 6, 17)]) { t, v in t.headMean(v[0], heads: 3) }
        check([x(4, 5, 18)]) { t, v in t.elu(v[0]) }
        let t = Tape()
        let m = t.value(t.headMean(t.constant(Matrix([[1, 2, 3, 4, 5, 6]])), heads: 3))
        #expect(m == Matrix([[3, 4]]))
        let e = t.value(t.elu(t.constant(Matrix([[-1, 0, 2]]))))
        #expect(abs(e[0, 0] - (expf(-1) - 1)) < 1e-7 && e[0, 1] == 0 && e[0, 2] == 2)
    }

    /// A whole GAT layer (2 heads, concatenated, ELU) from the fused ops.
    @Test func aFusedGATLayerComposes() {
        let op = Self.loopedOperator(5, seed: 19)
        check([x(5, 3, 20), x(3, 8, 21), x(2, 4, 22), x(2, 4, 23), x(1, 8, 24)]) { t, v in
            let wh = t.matmul(v[0], v[1])
            let a = t.edgeAttention(op, source: t.headDots(wh, v[2]), destination: t.headDots(wh, v[3]))
            return t.elu(t.addRowBias(t.attend(op, a, wh), v[4]))
        }
    }

    /// The row-parallel paths (two chunks) give the one-chunk results exactly.
    @Test func parallelChunksMatchOneThread() {
        let n = 400
        var rng = SeededGenerator(seed: 25, stream: "attn.big")
        var t: [(row: Int, col: Int, value: Float)] = []
        for r in 0..<n { t.append((r, r, 1)); for _ in 0..<40 { t.append((r, rng.nextInt(below: n), 1)) } }
        let op = SparseOperator(CSRMatrix(rows: n, cols: n, triplets: t))
        let s = x(n, 2, 26), d = x(n, 2, 27), h = x(n, 64, 28), h2 = x(n, 32, 30), g = x(n, 64, 29)
        func run(_ threads: Int) -> [Matrix] {
            Parallel.withThreads(threads) {
                let tape = Tape()
                let (vs, vd, vh, vh2) = (tape.parameter(s), tape.parameter(d), tape.parameter(h), tape.parameter(h2))
                let a = tape.edgeAttention(op, source: vs, destination: vd)
                let out = tape.add(tape.attend(op, a, vh), tape.attendShared(op, a, vh2))
                tape.backward(out, seed: g)
                return [tape.value(out), tape.gradient(vs)!, tape.gradient(vd)!, tape.gradient(vh)!, tape.gradient(vh2)!]
            }
        }
        #expect(run(1) == run(2))
    }
}
