import Foundation
import Testing
@testable import Tensors

@Suite(.serialized) struct TensorKernelTests {
    func dense(_ m: CSRMatrix) -> Matrix { m.dense() }

    @Test func softmaxRowsIsTheScaledSoftmaxOfEachRow() {
        // Row 0: e^0, e^ln2, e^ln3 over 6, times 2; row 1: huge equal entries do not overflow; row 2 scale 0.
        var m = Matrix(rows: 3, cols: 3, storage: [0, log(2), log(3), 1e4, 1e4, 1e4, 5, -5, 0])
        m.softmaxRows(scaledBy: [2, 1, 0])
        let expected: [Float] = [2.0 / 6, 4.0 / 6, 6.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 0, 0]
        #expect(m.maxAbsDifference(Matrix(rows: 3, cols: 3, storage: expected)) < 1e-6)
    }

    @Test func csrProductsMatchDenseOnBothThreadCounts() {
        let a = GradientCheck.randomCSR(rows: 300, cols: 200, density: 0.05, seed: 7)
        var rng = SeededGenerator(seed: 8)
        let x = Matrix.uniform(rows: 200, cols: 70, low: -1, high: 1, using: &rng)
        let y = Matrix.uniform(rows: 300, cols: 70, low: -1, high: 1, using: &rng)
        let op = SparseOperator(a)
        var results: [Matrix] = []
        for threads in [1, 2] {
            let (ax, aty) = Parallel.withThreads(threads) { (op.times(x), op.transposeTimes(y)) }
            #expect(ax.maxAbsDifference(BLAS.matmul(a.dense(), x)) < 1e-4)
            #expect(aty.maxAbsDifference(BLAS.matmul(a.dense(), transposeA: true, y)) < 1e-4)
            #expect(a.transposeTimes(y).maxAbsDifference(aty) < 1e-4)
            results.append(ax)
        }
        // Row-parallel products are bitwise identical to the serial ones.
        #expect(results[0] == results[1])
        #expect(a.multiply(x) == op.times(x))
    }

    /// The AVX2 kernel (C, chosen at run time) against the portable Swift one,
    /// with one and two heads and widths that leave tails.
    @Test(arguments: [(1, 70), (1, 64), (2, 70), (4, 24)])
    func wideSparseKernelMatchesThePortableOne(shape: (Int, Int)) {
        let (heads, width) = shape
        guard SparseKernels.wideKernel else { return }   // nothing to compare on this CPU
        let a = GradientCheck.randomCSR(rows: 120, cols: 90, density: 0.1, seed: 21)
        var rng = SeededGenerator(seed: 22)
        let values = Matrix.uniform(rows: a.nonZeroCount, cols: heads, low: 0, high: 1, using: &rng)
        let x = Matrix.uniform(rows: 90, cols: width + 3, low: -1, high: 1, using: &rng)   // stride wider than width
        var outputs: [Matrix] = []
        for wide in [false, true] {
            var out = Matrix(rows: 120, cols: width, repeating: 0.5)
            values.storage.withUnsafeBufferPointer { v in
                x.storage.withUnsafeBufferPointer { s in
                    out.storage.withUnsafeMutableBufferPointer { d in
                        SparseKernels.multiplyAccumulate(a, edgeValues: v.baseAddress!, heads: heads,
                                                         source: s.baseAddress!, sourceStride: width + 3, width: width,
                                                         into: d.baseAddress!, destinationStride: width, wide: wide)
                    }
                }
            }
            outputs.append(out)
        }
        #expect(outputs[0].maxAbsDifference(outputs[1]) < 1e-4)
        #expect(outputs[0].maxAbsDifference(Matrix(rows: 120, cols: width, repeating: 0.5)) > 0.1)
    }

    /// The attention kernels' AVX2 path (per head, weights read in place or
    /// through the transpose's entry map) against their portable Swift loops,
    /// shared and per-head inputs, widths through every block size and tail.
    @Test(arguments: [(1, 3), (1, 44), (2, 40), (1, 70), (3, 9)])
    func wideAttentionKernelsMatchThePortableOnes(shape: (Int, Int)) {
        let (heads, d) = shape
        guard SparseKernels.wideKernel else { return }   // nothing to compare on this CPU
        let op = SparseOperator(GradientCheck.randomCSR(rows: 80, cols: 60, density: 0.15, seed: 23))
        var rng = SeededGenerator(seed: 24)
        let weights = Matrix.uniform(rows: op.nonZeroCount, cols: heads, low: 0, high: 1, using: &rng)
        for shared in [false, true] {
            let xWidth = shared ? d : heads * d, xStride = shared ? 0 : d
            let x = Matrix.uniform(rows: 60, cols: xWidth, low: -1, high: 1, using: &rng)
            let g = Matrix.uniform(rows: 80, cols: heads * d, low: -1, high: 1, using: &rng)
            var forward: [Matrix] = [], backward: [Matrix] = [], dots: [Matrix] = []
            for wide in [false, true] {
                var out = Matrix(rows: 80, cols: heads * d, repeating: 0.5)
                AttentionKernels.aggregate(rowStart: op.matrix.rowStart, index: op.matrix.colIndex, entry: nil,
                                           weights: weights, heads: heads, x: x, xHeadStride: xStride,
                                           into: &out, outHeadStride: d, width: d, wide: wide)
                var dx = Matrix(rows: 60, cols: xWidth)
                AttentionKernels.aggregate(rowStart: op.transpose.rowStart, index: op.transpose.colIndex,
                                           entry: op.transposeEntry, weights: weights, heads: heads, x: g, xHeadStride: d,
                                           into: &dx, outHeadStride: xStride, width: d, wide: wide)
                var da = Matrix(rows: op.nonZeroCount, cols: heads)
                AttentionKernels.edgeDots(rowStart: op.matrix.rowStart, index: op.matrix.colIndex, g: g, heads: heads,
                                          width: d, x: x, xHeadStride: xStride, into: &da, wide: wide)
                forward.append(out); backward.append(dx); dots.append(da)
            }
            #expect(forward[0].maxAbsDifference(forward[1]) < 1e-4)
            #expect(backward[0].maxAbsDifference(backward[1]) < 1e-4)
            #expect(dots[0].maxAbsDifference(dots[1]) < 1e-4)
            #expect(forward[0].maxAbsDifference(Matrix(rows: 80, cols: heads * d, repeating: 0.5)) > 0.1)
            #expect(backward[0].maxAbsDifference(Matrix(rows: 60, cols: xWidth)) > 0.1)
            #expect(dots[0].maxAbsDifference(Matrix(rows: op.nonZeroCount, cols: heads)) > 0.01)
        }
    }

    @Test func transposeBookkeepingIsConsistent() {
        let a = GradientCheck.randomCSR(rows: 7, cols: 5, density: 0.5, seed: 9)
        let op = SparseOperator(a)
        #expect(op.transpose == a.transposed())
        for q in 0..<op.nonZeroCount {
            let p = Int(op.transposeEntry[q])
            #expect(op.transpose.values[q] == a.values[p])
            #expect(op.destination[p] == op.transpose.colIndex[q])
        }
    }

    @Test func meanAndSymmetricNormalisation() {
        let a = CSRMatrix(rows: 3, cols: 3, triplets: [(0, 1, 1), (0, 2, 1), (1, 0, 1), (2, 0, 1)])
        let mean = SparseOperator.rowNormalized(a)
        #expect(mean.times(Matrix([[3], [4], [8]])) == Matrix([[6], [3], [3]]))
        let sym = SparseOperator.symmetricNormalized(a).matrix.dense()
        #expect(abs(sym[0, 1] - 1 / Float(2).squareRoot()) < 1e-6)
        #expect(sym == sym.transposed())
    }

    @Test func weightedMultiHeadProductMatchesPerHeadProducts() {
        let a = GradientCheck.randomCSR(rows: 6, cols: 4, density: 0.6, seed: 10)
        var rng = SeededGenerator(seed: 11)
        let w = Matrix.uniform(rows: a.nonZeroCount, cols: 2, low: 0, high: 1, using: &rng)
        let x = Matrix.uniform(rows: 4, cols: 6, low: -1, high: 1, using: &rng)
        let out = a.times(x, edgeValues: w)
        for h in 0..<2 {
            let head = CSRMatrix(rows: 6, cols: 4, rowStart: a.rowStart, colIndex: a.colIndex,
                                 values: (0..<a.nonZeroCount).map { w[$0, h] })
            let xh = Matrix(rows: 4, cols: 3, storage: (0..<4).flatMap { r in (0..<3).map { x[r, h * 3 + $0] } })
            let expected = head.times(xh)
            for r in 0..<6 { for c in 0..<3 { #expect(abs(out[r, h * 3 + c] - expected[r, c]) < 1e-5) } }
        }
    }

    @Test func gatherScatterAndRowOps() {
        let m = Matrix([[1, 2], [3, 4], [5, 6]])
        #expect(m.gatherRows([Int32(2), 0, 2]) == Matrix([[5, 6], [1, 2], [5, 6]]))
        var z = Matrix(rows: 3, cols: 2)
        z.scatterAddRows(Matrix([[1, 1], [2, 2], [3, 3]]), at: [Int32(2), 0, 2])
        #expect(z == Matrix([[2, 2], [0, 0], [4, 4]]))
        #expect(m.rowDot(m) == Matrix([[5], [25], [61]]))
        var b = m
        b.addRowBroadcast(Matrix([[10, 20]]))
        #expect(b == Matrix([[11, 22], [13, 24], [15, 26]]))
        #expect(Matrix(rows: 3, repeatingRow: Matrix([[10, 20]])) == Matrix([[10, 20], [10, 20], [10, 20]]))
        #expect(Matrix(rows: 0, repeatingRow: Matrix([[10, 20]])) == Matrix(rows: 0, cols: 2))
        #expect(m.columnSums() == Matrix([[9, 12]]))
        #expect(GatheredRowDot.forward(m, [0, 2], m, [1, 1]) == Matrix([[11], [39]]))
    }

    @Test func stableSigmoidsAtExtremes() {
        #expect(Activations.sigmoid(-200) == 0 && Activations.sigmoid(200) == 1)
        #expect(Activations.logSigmoid(-200) == -200)
        #expect(Activations.logSigmoid(200) == 0)
        #expect(abs(Activations.logSigmoid(0) + 0.6931472) < 1e-6)
    }

    @Test func adamMatchesHandComputedFirstSteps() {
        // Step 1: m = 0.1 g, v = 0.001 g², bias-corrected to g and g², so the step is lr * sign(g).
        var params = ["w": Matrix([[1, -1]])]
        var adam = Adam(learningRate: 0.1)
        adam.step(&params, gradients: ["w": Matrix([[0.5, -2]])])
        #expect(params["w"]!.maxAbsDifference(Matrix([[0.9, -0.9]])) < 1e-5)
        // Weight decay adds wd * w to the gradient: a zero gradient still shrinks w.
        var decayed = ["w": Matrix([[2]])]
        var adamW = Adam(learningRate: 0.1, weightDecay: 0.5)
        adamW.step(&decayed, gradients: ["w": Matrix([[0]])])
        #expect(abs(decayed["w"]![0, 0] - 1.9) < 1e-5)
        // A parameter without a gradient stays put.
        var two = ["a": Matrix([[1]]), "b": Matrix([[1]])]
        adam.step(&two, gradients: ["a": Matrix([[1]])])
        #expect(two["b"] == Matrix([[1]]))
    }

    @Test func adamMinimisesAQuadratic() {
        var p = ["x": Matrix([[3, -4]])]
        var adam = Adam(learningRate: 0.05)
        for _ in 0..<500 { adam.step(&p, gradients: ["x": 2 * p["x"]!]) }
        #expect(p["x"]!.norm() < 0.05)
    }

    @Test func gemmBenchmarkReturnsAPositiveRate() {
        #expect(BLAS.gemmGFLOPS(m: 64, k: 64, n: 64, repeats: 1) > 0)
        #expect(!BLAS.coreName.isEmpty)
    }
}

/// The triplet constructor's fast path for rows given in column order.
@Suite struct CSRTripletOrderTests {
    @Test func orderedUnorderedAndDuplicatedRowsAllBuildTheSameMatrix() {
        let ordered: [(row: Int, col: Int, value: Float)] = [(0, 0, 1), (0, 2, 2), (1, 1, 3), (2, 0, 4), (2, 3, 5)]
        let shuffled = [ordered[4], ordered[1], ordered[3], ordered[0], ordered[2]]
        let a = CSRMatrix(rows: 3, cols: 4, triplets: ordered)
        #expect(a == CSRMatrix(rows: 3, cols: 4, triplets: shuffled))
        #expect(a.colIndex == [0, 2, 1, 0, 3] && a.rowStart == [0, 2, 3, 5])
        // In order but with a repeated entry: merged (summed), not copied.
        let repeated = CSRMatrix(rows: 3, cols: 4, triplets: [(0, 0, 1), (0, 2, 2), (0, 2, 10), (2, 3, 1)])
        #expect(repeated.rowStart == [0, 2, 2, 3] && repeated.values == [1, 12, 1])
    }
}
