import Testing
import Tensors
@testable import GraphRec

/// `reg=` (EmbeddingRegularizer), `init=pyg` and `preset=` (TrainPreset).
@Suite struct RegularizerPresetTests {
    let graph = TinyGraph.make(users: 30, movies: 40)

    /// R by its definition, in Double, for the finite-difference check.
    func penalty(_ u: Matrix, _ m: Matrix, lambda: Double, users: [Int32], pos: [Int32], neg: [Int32]) -> Double {
        func sq(_ t: Matrix, _ r: Int32) -> Double { (0..<t.cols).reduce(0) { $0 + Double(t[Int(r), $1]) * Double(t[Int(r), $1]) } }
        let b = Double(users.count), n = Double(neg.count) / b
        let s = users.reduce(0) { $0 + sq(u, $1) } + pos.reduce(0) { $0 + sq(m, $1) } + neg.reduce(0) { $0 + sq(m, $1) } / n
        return lambda / (2 * b) * s
    }

    @Test func regularizerHandComputed() {
        let u = Matrix([[1, 2], [3, 0]]), m = Matrix([[0, 1], [2, 2], [1, 1]])
        // B = 2, n = 2: users 0,1 (|.|² 5, 9), positives 1,0 (8, 1), negatives 2,2,0,1 (2, 2, 1, 8) / 2.
        let r = EmbeddingRegularizer.penalty(users: u, movies: m, lambda: 0.5, batchUsers: [0, 1], positives: [1, 0],
                                             negatives: [2, 2, 0, 1])
        #expect(abs(r.value - 0.5 / 4 * (5 + 9 + 8 + 1 + 13.0 / 2)) < 1e-6)
        // dR/de = λ/B per user/positive occurrence, λ/(nB) per negative occurrence.
        #expect(r.users == Matrix([[0.25, 0.5], [0.75, 0]]))
        #expect(r.movies == Matrix([[0, 0.25 + 0.125], [0.5 + 0.125 * 2, 0.5 + 0.125 * 2], [0.25, 0.25]]))
    }

    @Test func regularizerGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 5)
        let u = Matrix.normal(rows: 6, cols: 3, std: 1, using: &rng), m = Matrix.normal(rows: 7, cols: 3, std: 1, using: &rng)
        let users: [Int32] = [0, 3, 3, 5], pos: [Int32] = [1, 1, 6, 2]
        let neg: [Int32] = [0, 4, 2, 6, 1, 1, 3, 5, 6, 0, 0, 2]
        let r = EmbeddingRegularizer.penalty(users: u, movies: m, lambda: 0.3, batchUsers: users, positives: pos, negatives: neg)
        #expect(abs(r.value - penalty(u, m, lambda: 0.3, users: users, pos: pos, neg: neg)) < 1e-5)
        let h: Float = 1e-2
        var worst = 0.0
        for (table, grad) in [(0, r.users), (1, r.movies)] {
            for i in 0..<grad.count {
                var plus = table == 0 ? u : m, minus = plus
                plus.storage[i] += h; minus.storage[i] -= h
                let fp = table == 0 ? penalty(plus, m, lambda: 0.3, users: users, pos: pos, neg: neg)
                                    : penalty(u, plus, lambda: 0.3, users: users, pos: pos, neg: neg)
                let fm = table == 0 ? penalty(minus, m, lambda: 0.3, users: users, pos: pos, neg: neg)
                                    : penalty(u, minus, lambda: 0.3, users: users, pos: pos, neg: neg)
                let numeric = (fp - fm) / (2 * Double(h))
                worst = max(worst, abs(numeric - Double(grad.storage[i])) / max(1e-3, abs(numeric)))
            }
        }
        #expect(worst < 1e-2)
        // Rows the batch never names get no gradient.
        #expect((0..<3).allSatisfy { r.users[1, $0] == 0 && r.users[2, $0] == 0 && r.users[4, $0] == 0 })
    }

    @Test func regShrinksTheIDEmbeddingsAndNeedsThem() throws {
        func norm(_ reg: String) throws -> Float {
            let o = TinyGraph.options(["epochs": "8", "ids": "on", "reg": reg])
            var model = GCN(graph: graph, options: o)
            _ = try Trainer(options: o).train(&model, on: graph)
            return model.parameters["ids.movies"]!.storage.reduce(0) { $0 + $1 * $1 }
        }
        #expect(try norm("1") < 0.8 * norm("0"))
        let o = TinyGraph.options(["reg": "0.1"])   // features only: no ID tables
        var model = GCN(graph: graph, options: o)
        #expect(throws: RecError("reg: this model has no ID embeddings to regularise (use ids=on, or weight-decay=)")) {
            _ = try Trainer(options: o).train(&model, on: graph)
        }
    }

    @Test func pygInitDrawsWithinOneOverRootFanIn() {
        let pyg = GCN(graph: graph, options: TinyGraph.options(["init": "pyg"]))
        let glorot = GCN(graph: graph, options: TinyGraph.options(["init": "glorot"]))
        for k in 1...2 {
            let w = pyg.parameters["layer\(k).W"]!, bias = pyg.parameters["layer\(k).bias"]!
            let bound = 1 / Float(w.rows).squareRoot()
            #expect(w.storage.allSatisfy { abs($0) <= bound } && bias.storage.allSatisfy { abs($0) <= bound })
            #expect(bias.storage.contains { $0 != 0 })
            #expect(glorot.parameters["layer\(k).bias"]!.storage.allSatisfy { $0 == 0 })
        }
        #expect(TrainOptions().initialization == .pyg)   // the reference's init is the default
    }

    @Test func presetBestExpandsToTheDocumentedOptions() throws {
        let documented = TrainPreset.best.options(for: "gcn")!
        let expanded = try TrainPreset.expand(OptionValues(["preset": "best"]), kind: "gcn")
        #expect(expanded.values == documented.merging(["preset": "best"]) { a, _ in a })
        let o = try TrainOptions(expanded)
        #expect(o.ids && o.preset == "best" && o.patience != nil && o.weightDecay > 0 && o.loss == .softmax)
        #expect(o.asDictionary["preset"] == "best")
        var fromDocumented = try TrainOptions(OptionValues(documented))
        fromDocumented.preset = "best"
        #expect(o == fromDocumented)
    }

    @Test func explicitOptionsOverrideThePreset() throws {
        let e = try TrainPreset.expand(OptionValues(["preset": "best", "epochs": "1", "patience": "off", "lr": "0.02"]), kind: "gcn")
        let o = try TrainOptions(e)
        #expect(o.epochs == 1 && o.patience == nil && o.learningRate == 0.02)
        #expect(o.ids && o.negatives == Int(TrainPreset.best.options(for: "gcn")!["negatives"]!)!)
        // Without preset= the options are untouched.
        #expect(try TrainPreset.expand(OptionValues(["epochs": "3"]), kind: "gcn") == OptionValues(["epochs": "3"]))
    }

    @Test func presetErrorsNameTheProblem() {
        #expect(throws: RecError("preset: expected one of best|cold, got 'fast'")) {
            _ = try TrainPreset.expand(OptionValues(["preset": "fast"]), kind: "gcn")
        }
        #expect(throws: RecError("preset: 'best' is defined for gcn, lightgcn only, not mf")) {
            _ = try TrainPreset.expand(OptionValues(["preset": "best"]), kind: "mf")
        }
    }
}
