import Testing
@testable import Tensors

/// `Tape.dropout`: identity when not training, an unbiased seeded mask when
/// training, and a gradient that matches finite differences under that mask.
@Suite struct DropoutTests {
    let x = GradientCheck.random(40, 25, seed: 5)

    @Test func inferenceTapesLeaveTheInputAlone() {
        let tape = Tape()
        let v = tape.parameter(x)
        #expect(tape.dropout(v, rate: 0.5) == v)
        let training = Tape(training: SeededGenerator(seed: 1))
        let w = training.parameter(x)
        #expect(training.dropout(w, rate: 0) == w)
    }

    @Test func keepsAboutOneMinusRateScaledToKeepTheMean() {
        let ones = Matrix(rows: 200, cols: 500, repeating: 1)
        for rate: Float in [0.1, 0.3, 0.7] {
            let tape = Tape(training: SeededGenerator(seed: 2))
            let out = tape.value(tape.dropout(tape.constant(ones), rate: rate))
            let kept = out.storage.filter { $0 != 0 }
            #expect(kept.allSatisfy { $0 == 1 / (1 - rate) })
            let share = Double(kept.count) / Double(out.count)
            #expect(abs(share - Double(1 - rate)) < 0.01, "rate \(rate): kept \(share)")
            #expect(abs(out.sum() / Double(out.count) - 1) < 0.02)
        }
    }

    @Test func theSameSeedDrawsTheSameMaskAndTheStreamMovesOn() {
        func mask(_ tape: Tape) -> Matrix { tape.value(tape.dropout(tape.constant(x), rate: 0.5)) }
        let a = Tape(training: SeededGenerator(seed: 3)), b = Tape(training: SeededGenerator(seed: 3))
        let first = mask(a)
        #expect(first == mask(b))
        #expect(mask(a) != first)      // the next pass continues the stream
        let c = Tape(training: a.trainingGenerator!)
        #expect(mask(c) != first)
    }

    @Test func gradientMatchesFiniteDifferences() {
        let errors = GradientCheck.relativeErrors([x], tape: { Tape(training: SeededGenerator(seed: 4)) }) { t, v in
            t.dropout(t.matmul(v[0], t.constant(GradientCheck.random(25, 6, seed: 6))), rate: 0.4)
        }
        #expect(errors[0] < 1e-2)
        // The gradient is the mask: zero exactly where the output was dropped.
        let tape = Tape(training: SeededGenerator(seed: 4))
        let v = tape.parameter(x)
        let out = tape.dropout(v, rate: 0.4)
        tape.backward(tape.sum(out))
        let g = tape.gradient(v)!, y = tape.value(out)
        for i in 0..<x.count { #expect((g.storage[i] == 0) == (y.storage[i] == 0)) }
    }
}
