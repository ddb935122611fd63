import Foundation
import Testing
import Tensors
@testable import GraphRec

/// `loss=softmax`: value, gradient by finite differences, BPR at group size 1, training.
@Suite struct SampledSoftmaxLossTests {
    func loss(_ d: [Float], group: Int) -> (Double, [Float]) {
        let tape = Tape()
        let x = tape.parameter(Matrix(rows: d.count, cols: 1, storage: d))
        let l = tape.sampledSoftmaxLoss(x, group: group)
        tape.backward(l)
        return (Double(tape.value(l).storage[0]), tape.gradient(x)!.storage)
    }

    @Test func handComputedValue() {
        // Two groups of 2: ln(1 + e^0 + e^1) and ln(1 + e^-1 + e^-2), averaged.
        let (v, _) = loss([0, 1, -1, -2], group: 2)
        let expected = (log(1 + 1 + exp(1.0)) + log(1 + exp(-1.0) + exp(-2.0))) / 2
        #expect(abs(v - expected) < 1e-5)
        // Large differences stay finite (log-sum-exp is shifted).
        #expect(loss([80, -80], group: 2).0.isFinite)
    }

    @Test func gradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 3)
        let d = Matrix.normal(rows: 12, cols: 1, std: 2, using: &rng).storage
        let (_, g) = loss(d, group: 4)
        let h: Float = 1e-2
        for i in d.indices {
            var p = d, m = d
            p[i] += h; m[i] -= h
            let numeric = (loss(p, group: 4).0 - loss(m, group: 4).0) / (2 * Double(h))
            #expect(abs(numeric - Double(g[i])) / max(1e-2, abs(numeric)) < 1e-2, "pair \(i)")
        }
    }

    @Test func groupOfOneIsBPR() {
        let d: [Float] = [0.3, -1.2, 2.0]
        let (v, _) = loss(d, group: 1)
        let bpr = d.map { log(1 + exp(Double($0))) }.reduce(0, +) / 3   // -ln σ(y_ui - y_uj), d = y_uj - y_ui
        #expect(abs(v - bpr) < 1e-5)
    }

    @Test func softmaxTrainingLowersTheLoss() throws {
        let graph = TinyGraph.make(users: 30, movies: 40)
        let o = TinyGraph.options(["loss": "softmax", "epochs": "10", "ids": "on"])
        var model = GCN(graph: graph, options: o)
        let h = try Trainer(options: o).train(&model, on: graph)
        #expect(h.loss.last! < h.loss.first! * 0.9)
    }
}
