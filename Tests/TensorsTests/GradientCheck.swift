@testable import Tensors

/// Finite-difference gradient checking for tape ops.
///
/// The output f(x) is projected onto a fixed random matrix R, L = sum(R ⊙ f),
/// accumulated in Double. The tape's gradient (backward seeded with R) is
/// compared with central differences of L in every input element; the
/// result is the relative error ||g_tape - g_fd|| / max(||g_tape||, ||g_fd||, 1e-6),
/// one per input.
enum GradientCheck {
    /// `makeTape` gives each pass its tape: a training tape with a fixed
    /// generator makes every pass draw the same dropout masks.
    static func relativeErrors(_ inputs: [Matrix], eps: Float = 3e-3, seed: UInt64 = 99,
                               tape makeTape: () -> Tape = { Tape() },
                               _ build: (Tape, [Variable]) -> Variable) -> [Double] {
        let probe = makeTape()
        let out = build(probe, inputs.map { probe.parameter($0) })
        var rng = SeededGenerator(seed: seed, stream: "gradcheck.R")
        let r = Matrix.uniform(rows: out.rows, cols: out.cols, low: -1, high: 1, using: &rng)

        func loss(_ xs: [Matrix]) -> Double {
            let t = makeTape()
            let f = t.value(build(t, xs.map { t.parameter($0) }))
            var acc: Double = 0
            for i in 0..<f.count { acc += Double(f.storage[i]) * Double(r.storage[i]) }
            return acc
        }

        let tape = makeTape()
        let vars = inputs.map { tape.parameter($0) }
        tape.backward(build(tape, vars), seed: r)
        return inputs.indices.map { k in
            let analytic = tape.gradient(vars[k]) ?? Matrix(rows: inputs[k].rows, cols: inputs[k].cols)
            var numeric = Matrix(rows: inputs[k].rows, cols: inputs[k].cols)
            for i in 0..<inputs[k].count {
                var plus = inputs, minus = inputs
                plus[k].storage[i] += eps
                minus[k].storage[i] -= eps
                numeric.storage[i] = Float((loss(plus) - loss(minus)) / Double(2 * eps))
            }
            let diff = (analytic - numeric).norm()
            return diff / max(analytic.norm(), numeric.norm(), 1e-6)
        }
    }

    /// Uniform values in ±[0.1, 1]: away from the kinks of relu-like ops.
    static func random(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix {
        var rng = SeededGenerator(seed: seed, stream: "gradcheck.x")
        var m = Matrix.uniform(rows: rows, cols: cols, low: 0.1, high: 1, using: &rng)
        for i in 0..<m.count where rng.nextFloat() < 0.5 { m.storage[i] = -m.storage[i] }
        return m
    }

    /// A small random sparse pattern (rows x cols, some empty rows) with random values.
    static func randomCSR(rows: Int, cols: Int, density: Double, seed: UInt64) -> CSRMatrix {
        var rng = SeededGenerator(seed: seed, stream: "gradcheck.csr")
        var triplets: [(row: Int, col: Int, value: Float)] = []
        for r in 0..<rows where r != 1 {   // row 1 stays empty on purpose
            for c in 0..<cols where rng.nextDouble() < density {
                triplets.append((r, c, rng.nextFloat() + 0.1))
            }
        }
        return CSRMatrix(rows: rows, cols: cols, triplets: triplets)
    }
}
