import Foundation
import Testing
import Tensors
@testable import GraphRec

@Suite struct ModelTests {
    let graph = TinyGraph.make()

    @Test(arguments: [["ids": "off"], ["ids": "on"], ["features": "off"], ["layers": "3", "hidden": "3"],
                      ["ids": "on", "combine": "mean", "activation": "none"], ["features": "off", "combine": "mean"],
                      ["ids": "off", "combine": "mean", "layers": "3"], ["activation": "none", "layers": "3"],
                      ["ids": "on", "score": "cosine", "temperature": "0.2"], ["features": "off", "combine": "mean", "score": "cosine"]])
    func gcnMatchesTheDenseFormula(options: [String: String]) {
        var model = GCN(graph: graph, options: TinyGraph.options(options))
        var rng = SeededGenerator(seed: 5)
        for k in 1...model.layers { model.parameters["layer\(k).bias"] = .normal(rows: 1, cols: model.parameters["layer\(k).bias"]!.cols, std: 0.1, using: &rng) }
        let e = model.embed(graph)
        let expected = ReferenceGCN.embed(model, graph)
        #expect(e.users.rows == graph.userCount && e.items.rows == graph.movieCount && e.dimension == 4)
        #expect(e.users.vstack(e.items).maxAbsDifference(expected) < 1e-4)
    }

    @Test func gcnWithTheMeanOfItsLayersHasEveryLayerDimWide() throws {
        let mean = GCN(graph: graph, options: TinyGraph.options(["ids": "on", "combine": "mean", "hidden": "7", "layers": "3"]))
        #expect(mean.weights.layers.allSatisfy { $0.weight.cols == 4 && $0.bias.cols == 4 })
        let last = GCN(graph: graph, options: TinyGraph.options(["ids": "on", "hidden": "7", "layers": "3"]))
        #expect(last.weights.layers.map(\.weight.cols) == [7, 7, 4])
        #expect(throws: RecError.self) { try TrainOptions(OptionValues(["combine": "sum"])) }
        #expect(throws: RecError.self) { try TrainOptions(OptionValues(["activation": "tanh"])) }
        #expect(try TrainOptions(OptionValues(["combine": "mean", "activation": "none"])).asDictionary["combine"] == "mean")
    }

    @Test func gcnCosineScoresAreCosinesOverTheTemperature() throws {
        let cosine = GCN(graph: graph, options: TinyGraph.options(["ids": "on", "score": "cosine", "temperature": "0.25"]))
        let dot = GCN(graph: graph, options: TinyGraph.options(["ids": "on"]))
        let (c, d) = (cosine.embed(graph), dot.embed(graph))
        // Same weights (same seed): each cosine row is the dot row, L2-normalised and scaled by sqrt(1 / 0.25) = 2.
        for r in 0..<d.users.rows {
            let row = (0..<d.dimension).map { d.users[r, $0] }
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for j in 0..<d.dimension { #expect(abs(c.users[r, j] - 2 * row[j] / norm) < 1e-5) }
        }
        // So every score is at most 1 / temperature.
        #expect(BLAS.matmul(c.users, c.items, transposeB: true).storage.allSatisfy { abs($0) <= 4 + 1e-4 })
        #expect(throws: RecError.self) { try TrainOptions(OptionValues(["score": "euclid"])) }
        #expect(throws: RecError.self) { try TrainOptions(OptionValues(["temperature": "0"])) }
    }

    @Test func gcnInputLayoutFollowsTheOptionsAndTheGraph() {
        #expect(GCN(graph: graph, options: TinyGraph.options()).input.width == 5)
        #expect(GCN(graph: graph, options: TinyGraph.options(["ids": "on"])).input.width == 9)
        let bare = TinyGraph.make(features: false)
        let m = GCN(graph: bare, options: TinyGraph.options())   // features=on but none exist: IDs alone
        #expect(m.input.useIDs && !m.input.useFeatures && m.parameters["ids.users"] != nil)
        #expect(m.embed(bare).users.rows == bare.userCount)
    }

    @Test func restoringParametersGivesAnEqualModel() throws {
        let o = TinyGraph.options(["ids": "on"])
        let m = GCN(graph: graph, options: o)
        let r = try #require(try restored(m, o) as? GCN)
        #expect(r.input == m.input && r.embed(graph) == m.embed(graph))
        let l = LightGCN(graph: graph, options: o)
        #expect((try restored(l, o) as? LightGCN)?.embed(graph) == l.embed(graph))
        let f = MatrixFactorization(graph: graph, options: o)
        #expect((try restored(f, o) as? MatrixFactorization)?.embed(graph) == f.embed(graph))
        var broken = ModelRecord(name: "m", kind: "gcn", options: o.asDictionary, history: TrainingHistory(),
                                 parameters: m.parameters, embeddings: nil)
        broken.parameters["layer2.B"] = nil
        #expect(throws: RecError.self) { try ModelRegistry.restore(broken, graph: graph) }
    }

    /// A model rebuilt through its kind from its parameters and the options it was trained with.
    func restored<K: GraphModelKind>(_ model: K, _ o: TrainOptions) throws -> any Recommender {
        let text = o.asDictionary.filter { key, _ in K.options.contains { $0.name == key } }
        return try K.restore(parameters: model.parameters, options: try K.parse(text), graph: graph)
    }

    @Test func sameSeedSameWeightsOtherSeedOther() {
        let a = GCN(graph: graph, options: TinyGraph.options()), b = GCN(graph: graph, options: TinyGraph.options())
        let c = GCN(graph: graph, options: TinyGraph.options(["seed": "1"]))
        #expect(a.parameters == b.parameters && a.parameters != c.parameters)
    }

    @Test func newUsersAndEdgesChangeGCNEmbeddings() {
        let m = GCN(graph: graph, options: TinyGraph.options(["ids": "on"]))
        let grown = graph.addingUser(features: [0.5, 0.5, 0.5]).adding([Edge(graph.userCount, 3)])
        let e = m.embed(grown)
        #expect(e.users.rows == graph.userCount + 1)
        #expect(e.users.row(graph.userCount) != e.users.row(0))
    }

    @Test func lightGCNMatchesTheDenseFormula() {
        let m = LightGCN(graph: graph, options: TinyGraph.options(["layers": "3"]))
        let a = SparseOperator.symmetricNormalized(graph.adjacency()).matrix.dense()
        var e = m.parameters["ids.users"]!.vstack(m.parameters["ids.movies"]!)
        var total = e
        for _ in 0..<3 { e = BLAS.matmul(a, e); total.add(e) }
        total.scale(by: 0.25)
        let got = m.embed(graph)
        #expect(got.users.vstack(got.items).maxAbsDifference(total) < 1e-5)
    }

    @Test func matrixFactorisationEmbeddingsAreItsTables() {
        let m = MatrixFactorization(graph: graph, options: TinyGraph.options())
        let e = m.embed(graph)
        #expect(e.users == m.parameters["ids.users"] && e.items == m.parameters["ids.movies"])
        #expect(!m.isInductive && m.kind == "mf")
    }

    /// The whole GCN + BPR step against finite differences on every weight.
    @Test(arguments: ["gcn", "lightgcn"])
    func fullStepGradientsMatchFiniteDifferences(kind: String) {
        let o = TinyGraph.options(["ids": "on", "hidden": "4", "dim": "3"])
        let sampler = try! NegativeSampler(graph)
        var rng = SeededGenerator(seed: 3)
        let batch = PairBatch(Array(graph.edges.prefix(6)), negatives: 2, sampler: sampler, rng: &rng)
        let trainer = Trainer(options: o)
        func lossAndGrads(_ p: [String: Matrix]) -> (Double, [String: Matrix]) {
            if kind == "gcn" {
                var m = GCN(graph: graph, options: o); m.parameters = p
                return trainer.step(m, m.makeContext(graph), batch)
            }
            var m = LightGCN(graph: graph, options: o); m.parameters = p
            return trainer.step(m, m.makeContext(graph), batch)
        }
        var p = kind == "gcn" ? GCN(graph: graph, options: o).parameters : LightGCN(graph: graph, options: o).parameters
        for k in p.keys { p[k]!.scale(by: 3) }  // larger scores: gradients well above Float noise
        let (_, grads) = lossAndGrads(p)
        for (name, g) in grads {
            var numeric = Matrix(rows: g.rows, cols: g.cols)
            let eps: Float = 2e-3
            for i in 0..<g.count {
                var plus = p, minus = p
                plus[name]!.storage[i] += eps
                minus[name]!.storage[i] -= eps
                numeric.storage[i] = Float((lossAndGrads(plus).0 - lossAndGrads(minus).0) / Double(2 * eps))
            }
            let err = (g - numeric).norm() / max(g.norm(), numeric.norm(), 1e-6)
            #expect(err < 2e-2, "\(kind) \(name): relative error \(err)")
        }
    }
}
