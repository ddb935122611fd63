import Testing
@testable import Tensors

/// Every differentiable tape op against central finite differences (Float,
/// relative error below 1e-2 as the team rule asks; most land near 1e-4).
@Suite struct AutodiffGradientTests {
    let tol = 1e-2
    func x(_ r: Int, _ c: Int, _ s: UInt64) -> Matrix { GradientCheck.random(r, c, seed: s) }

    func check(_ inputs: [Matrix], _ build: (Tape, [Variable]) -> Variable,
               sourceLocation: SourceLocation = #_sourceLocation) {
        let errors = GradientCheck.relativeErrors(inputs, build)
        for e in errors { #expect(e < tol, "relative error \(e)", sourceLocation: sourceLocation) }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul(transposes: (Bool, Bool)) {
        let (ta, tb) = transposes
        let a = ta ? x(4, 3, 1) : x(3, 4, 1), b = tb ? x(5, 4, 2) : x(4, 5, 2)
        check([a, b]) { t, v in t.matmul(v[0], transposeA: ta, v[1], transposeB: tb) }
    }

    @Test func addSubScaleAddScalarMul() {
        let a = x(3, 4, 3), b = x(3, 4, 4)
        check([a, b]) { t, v in t.add(v[0], v[1]) }
        check([a, b]) { t, v in t.sub(v[0], v[1]) }
        check([a]) { t, v in t.scale(v[0], -2.5) }
        check([a]) { t, v in t.addScalar(v[0], 0.7) }
        check([a, b]) { t, v in t.mul(v[0], v[1]) }
        // The same variable used twice accumulates both paths.
        check([a]) { t, v in t.mul(v[0], v[0]) }
    }

    @Test func addRowBias() {
        check([x(5, 3, 5), x(1, 3, 6)]) { t, v in t.addRowBias(v[0], v[1]) }
    }

    @Test(arguments: [Float(1), 3.2])
    func rowNormalized(scale: Float) {
        check([x(5, 4, 9)]) { t, v in t.rowNormalized(v[0], scale: scale) }
        // Composed with a product, as the GCN's cosine scores use it.
        check([x(3, 6, 10), x(4, 6, 11)]) { t, v in
            t.matmul(t.rowNormalized(v[0], scale: scale), transposeA: false, t.rowNormalized(v[1], scale: scale), transposeB: true)
        }
    }

    @Test func rowNormalizedValues() {
        let tape = Tape()
        let y = tape.value(tape.rowNormalized(tape.constant(Matrix(rows: 2, cols: 2, storage: [3, 4, 0, 0])), scale: 2))
        // |(3, 4)| = 5: (0.6, 0.8) * 2; a zero row stays zero.
        #expect(y.maxAbsDifference(Matrix(rows: 2, cols: 2, storage: [1.2, 1.6, 0, 0])) < 1e-6)
    }

    @Test func concatColumns() {
        check([x(4, 2, 7), x(4, 3, 8)]) { t, v in t.concatColumns([v[0], v[1]]) }
    }

    @Test func concatAndSliceRows() {
        check([x(2, 3, 30), x(4, 3, 31)]) { t, v in t.concatRows([v[0], v[1]]) }
        check([x(5, 3, 32)]) { t, v in t.sliceRows(v[0], 1..<4) }
    }

    @Test func rowDot() {
        check([x(6, 4, 9), x(6, 4, 10)]) { t, v in t.rowDot(v[0], v[1]) }
    }

    @Test func activations() {
        let a = x(4, 5, 11)
        check([a]) { t, v in t.relu(v[0]) }
        check([a]) { t, v in t.leakyRelu(v[0], slope: 0.2) }
        check([a]) { t, v in t.sigmoid(t.scale(v[0], 3)) }
        check([a]) { t, v in t.logSigmoid(t.scale(v[0], 4)) }
    }

    @Test func sumAndMean() {
        check([x(3, 4, 12)]) { t, v in t.sum(t.mul(v[0], v[0])) }
        check([x(3, 4, 13)]) { t, v in t.mean(t.mul(v[0], v[0])) }
    }

    @Test func spmmWithFixedCSR() {
        let op = SparseOperator(GradientCheck.randomCSR(rows: 6, cols: 5, density: 0.5, seed: 1))
        check([x(5, 3, 14)]) { t, v in t.spmm(op, v[0]) }
    }

    /// The fused GraphSAGE layer in its three forms: narrowing (project, then
    /// aggregate in place), widening with the aggregate given, widening without.
    @Test(arguments: [(5, 3, false), (3, 5, true), (3, 5, false)])
    func sageLayer(shape: (Int, Int, Bool)) {
        let (input, output, given) = shape
        let op = SparseOperator(GradientCheck.randomCSR(rows: 6, cols: 6, density: 0.4, seed: 3))
        check([x(6, input, 30), x(input, output, 31), x(input, output, 32), x(1, output, 33)]) { t, v in
            t.sageLayer(op, v[0], aggregated: given ? t.spmm(op, v[0]) : nil, weight: v[1], root: v[2], bias: v[3])
        }
    }

    /// Same values as the layer composed from generic ops, at widths where the
    /// SIMD row kernels run their 32-wide blocks and tails.
    @Test(arguments: [(48, 40), (40, 48), (128, 64)])
    func sageLayerMatchesComposedOps(widths: (Int, Int)) {
        let (input, output) = widths
        let op = SparseOperator.rowNormalized(GradientCheck.randomCSR(rows: 30, cols: 30, density: 0.2, seed: 4))
        let (h, w, b, bias) = (x(30, input, 34), x(input, output, 35), x(input, output, 36), x(1, output, 37))
        let t = Tape()
        let vh = t.parameter(h), vw = t.parameter(w), vb = t.parameter(b), vbias = t.parameter(bias)
        let fused = t.sageLayer(op, vh, weight: vw, root: vb, bias: vbias)
        let composed = t.addRowBias(t.add(t.matmul(t.spmm(op, vh), vw), t.matmul(vh, vb)), vbias)
        #expect(t.value(fused).maxAbsDifference(t.value(composed)) < 1e-4)
    }

    /// Row blocks with their own inputs and weight rows (row 4 used by both blocks).
    @Test func blockLinear() {
        let blocks = [RowBlock(rows: 0..<2, input: x(2, 3, 40), weightRows: [0, 2, 4]),
                      RowBlock(rows: 2..<5, input: x(3, 2, 41), weightRows: [1, 4])]
        check([x(5, 3, 42), x(1, 3, 43)]) { t, v in t.blockLinear(blocks, v[0], bias: v[1]) }
    }

    @Test func gatherRowsWithRepeats() {
        check([x(5, 3, 15)]) { t, v in t.gatherRows(v[0], [4, 0, 4, 2, 4]) }
    }

    @Test func gatheredRowDot() {
        check([x(4, 3, 16), x(5, 3, 17)]) { t, v in t.gatheredRowDot(v[0], [0, 3, 3, 1], v[1], [4, 4, 0, 2]) }
        // Both sides from one matrix.
        check([x(4, 3, 18)]) { t, v in t.gatheredRowDot(v[0], [0, 1, 2], v[0], [2, 2, 0]) }
    }

    @Test func edgeGathers() {
        let op = SparseOperator(GradientCheck.randomCSR(rows: 5, cols: 4, density: 0.6, seed: 2))
        check([x(4, 2, 19)]) { t, v in t.gatherEdgeSources(op, v[0]) }
        check([x(5, 2, 20)]) { t, v in t.gatherEdgeDestinations(op, v[0]) }
    }

    @Test(arguments: [1, 2])
    func edgeSoftmax(heads: Int) {
        let op = SparseOperator(GradientCheck.randomCSR(rows: 5, cols: 6, density: 0.6, seed: 3))
        check([x(op.nonZeroCount, heads, 21)]) { t, v in t.edgeSoftmax(op, t.scale(v[0], 2)) }
    }

    @Test(arguments: [1, 2])
    func weightedSpmm(heads: Int) {
        let op = SparseOperator(GradientCheck.randomCSR(rows: 5, cols: 6, density: 0.6, seed: 4))
        check([x(op.nonZeroCount, heads, 22), x(6, 3 * heads, 23)]) { t, v in t.weightedSpmm(op, v[0], v[1]) }
    }

    @Test func aGATStyleLayerComposes() {
        // Square pattern with self loops, as GAT uses.
        var csr = GradientCheck.randomCSR(rows: 5, cols: 5, density: 0.4, seed: 5)
        let withLoops = (0..<5).flatMap { r in
            ((csr.rowStart[r]..<csr.rowStart[r + 1]).map { (row: r, col: Int(csr.colIndex[$0]), value: Float(1)) }) + [(row: r, col: r, value: Float(1))]
        }
        csr = CSRMatrix(rows: 5, cols: 5, triplets: withLoops)
        let op = SparseOperator(csr)
        check([x(5, 3, 24), x(3, 4, 25), x(4, 1, 26), x(4, 1, 27)]) { t, v in
            let wh = t.matmul(v[0], v[1])
            let e = t.leakyRelu(t.add(t.gatherEdgeSources(op, t.matmul(wh, v[2])),
                                      t.gatherEdgeDestinations(op, t.matmul(wh, v[3]))))
            return t.weightedSpmm(op, t.edgeSoftmax(op, e), wh)
        }
    }

    @Test func constantsGetNoGradientAndCostNoBackward() {
        let t = Tape()
        let c = t.constant(x(3, 3, 28)), p = t.parameter(x(3, 3, 29))
        let cc = t.relu(c)
        #expect(!t.needsGradient(cc))
        let loss = t.sum(t.mul(cc, p))
        t.backward(loss)
        #expect(t.gradient(c) == nil)
        #expect(t.gradient(p) == t.value(cc))
    }
}

@Suite struct GradientCheckSelfTest {
    @Test func theCheckerCatchesAWrongBackward() {
        // An op whose backward forgets a factor of 2 must fail the check.
        let errors = GradientCheck.relativeErrors([GradientCheck.random(3, 3, seed: 1)]) { t, v in
            var doubled = t.value(v[0]); doubled.scale(by: 2)
            return t.record(doubled, inputs: [v[0]]) { tape, g in tape.accumulate(g, into: v[0]) }
        }
        #expect(errors[0] > 0.3)
    }
}
