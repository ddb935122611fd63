import Testing
@testable import GraphRec
import Tensors

/// Layer 1 computed per node type on the compact input must equal the dense
/// form, value and gradients, since the columns it leaves out are zeros.
@Suite struct TypedLayerInputTests {
    /// 3 users with 2 features, 4 movies with 3 features, in one 5-column node space.
    func fixture() -> (x: Matrix, meanX: Matrix) {
        var rng = SeededGenerator(seed: 5, stream: "typed")
        var x = Matrix(rows: 7, cols: 5)
        for u in 0..<3 { for c in 0..<2 { x[u, c] = rng.nextFloat() + 0.1 } }
        for m in 3..<7 { for c in 2..<5 { x[m, c] = rng.nextFloat() + 0.1 } }
        x[4, 3] = 0   // a zero inside a block stays harmless
        let edges: [(Int, Int)] = [(0, 3), (0, 4), (1, 4), (1, 5), (1, 6), (2, 6)]
        var triplets: [(row: Int, col: Int, value: Float)] = []
        for (u, m) in edges { triplets += [(u, m, 1), (m, u, 1)] }
        let mean = SparseOperator.rowNormalized(CSRMatrix(rows: 7, cols: 7, triplets: triplets))
        return (x, mean.times(x))
    }

    @Test func compactBlocksLeaveOutOnlyZeroColumns() {
        let (x, meanX) = fixture()
        let typed = TypedLayerInput(features: x, mean: meanX, types: [0..<3, 3..<7])
        #expect(typed.blocks.map(\.input.cols) == [5, 5])          // 3 mean + 2 own, 2 mean + 3 own
        #expect(typed.blocks[0].weightRows == [2, 3, 4, 5, 6])     // W rows of movie features, B rows of user features
        #expect(typed.blocks[1].weightRows == [0, 1, 7, 8, 9])
    }

    @Test func equalsTheDenseLayerInValueAndGradients() {
        let (x, meanX) = fixture()
        let typed = TypedLayerInput(features: x, mean: meanX, types: [0..<3, 3..<7])
        var rng = SeededGenerator(seed: 6, stream: "typed.w")
        let w = Matrix.uniform(rows: 5, cols: 4, low: -1, high: 1, using: &rng)
        let b = Matrix.uniform(rows: 5, cols: 4, low: -1, high: 1, using: &rng)
        let bias = Matrix.uniform(rows: 1, cols: 4, low: -1, high: 1, using: &rng)
        let seed = Matrix.uniform(rows: 7, cols: 4, low: -1, high: 1, using: &rng)
        func run(_ dense: Bool) -> (Matrix, [Matrix]) {
            let t = Tape()
            let (vw, vb, vbias) = (t.parameter(w), t.parameter(b), t.parameter(bias))
            let z = dense ? t.linearPair(t.constant(meanX), vw, t.constant(x), vb, bias: vbias)
                          : typed.forward(t, weight: vw, root: vb, bias: vbias)
            t.backward(z, seed: seed)
            return (t.value(z), [vw, vb, vbias].map { t.gradient($0)! })
        }
        let (zd, gd) = run(true), (zt, gt) = run(false)
        #expect(zd.maxAbsDifference(zt) < 1e-5)
        for (a, c) in zip(gd, gt) { #expect(a.maxAbsDifference(c) < 1e-5) }
    }
}
