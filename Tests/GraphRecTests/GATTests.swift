import Foundation
import Testing
import Tensors
@testable import GraphRec

@Suite struct GATTests {
    let graph = TinyGraph.make()

    /// Random nonzero biases so the test sees where they are added.
    static func withBiases(_ model: GAT) -> GAT {
        var m = model
        var rng = SeededGenerator(seed: 5)
        for k in 1...m.layers {
            m.parameters["layer\(k).bias"] = .normal(rows: 1, cols: m.parameters["layer\(k).bias"]!.cols, std: 0.1, using: &rng)
        }
        return m
    }

    @Test(arguments: [["ids": "off"], ["ids": "on"], ["heads": "3"], ["features": "off", "heads": "2"],
                      ["layers": "3", "hidden": "3", "heads": "2"]])
    func gatMatchesTheDenseFormula(options: [String: String]) {
        let model = Self.withBiases(GAT(graph: graph, options: TinyGraph.options(options)))
        let e = model.embed(graph)
        let (expected, attention) = ReferenceGAT.embed(model, graph)
        #expect(e.users.rows == graph.userCount && e.items.rows == graph.movieCount && e.dimension == 4)
        #expect(e.users.vstack(e.items).maxAbsDifference(expected) < 1e-4)
        let got = model.attention(on: graph)
        #expect(got.count == model.layers && got.allSatisfy { $0.count == model.heads })
        for (k, layer) in got.enumerated() {
            for (h, w) in layer.enumerated() {
                #expect(w.layer == k + 1 && w.head == h + 1)
                for v in 0..<w.nodeCount {
                    for (u, a) in w.entries(of: v) {
                        #expect(abs(Double(a) - attention[k][h][v * graph.nodeCount + u]!) < 1e-5)
                    }
                }
            }
        }
    }

    @Test(arguments: [1, 3])
    func attentionOfEveryNodeLayerAndHeadSumsToOne(heads: Int) {
        let model = GAT(graph: graph, options: TinyGraph.options(["heads": "\(heads)", "ids": "on"]))
        for layer in model.attention(on: graph) {
            for w in layer {
                #expect(w.nodeCount == graph.nodeCount)
                for v in 0..<w.nodeCount {
                    let entries = w.entries(of: v)
                    #expect(entries.contains { $0.source == v })               // the self-loop
                    #expect(entries.count == w.degree(v) + 1)
                    #expect(abs(entries.reduce(0.0) { $0 + Double($1.weight) } - 1) < 1e-5)
                }
            }
        }
    }

    @Test func selfLoopsAreAddedOnceInOrder() {
        let a = CSRMatrix(rows: 3, cols: 3, triplets: [(0, 2, 1), (1, 1, 5), (1, 0, 1), (2, 0, 1), (2, 1, 1)])
        let s = GAT.withSelfLoops(a)
        #expect(s.dense() == Matrix([[1, 0, 1], [1, 5, 0], [1, 1, 1]]))
        #expect(s.rowStart == [0, 2, 4, 7] && s.colIndex == [0, 2, 0, 1, 0, 1, 2])
    }

    @Test func restoringParametersGivesAnEqualModel() throws {
        for options in [["ids": "on", "heads": "2"], ["layers": "3", "heads": "3"], ["features": "off"]] {
            let o = TinyGraph.options(options)
            let m = Self.withBiases(GAT(graph: graph, options: o))
            // The architecture comes from the recorded options, the weights from the parameters.
            let text = o.asDictionary.filter { key, _ in GAT.options.contains { $0.name == key } }
            let record = ModelRecord(name: "g", kind: "gat", options: text, history: TrainingHistory(),
                                     parameters: m.parameters, embeddings: nil)
            let r = try #require(try ModelRegistry.restore(record, graph: graph) as? GAT)
            #expect(r.input == m.input && r.layers == m.layers && r.heads == m.heads && r.projection == m.projection)
            #expect(r.parameters == m.parameters && r.embed(graph) == m.embed(graph))
            #expect(r.attention(on: graph) == m.attention(on: graph))
        }
        let o = TinyGraph.options(["heads": "2"])
        let m = GAT(graph: graph, options: o)
        var broken = ModelRecord(name: "g", kind: "gat", options: o.asDictionary.filter { key, _ in GAT.options.contains { $0.name == key } },
                                 history: TrainingHistory(), parameters: m.parameters, embeddings: nil)
        broken.parameters["layer2.attDestination"] = nil
        #expect(throws: RecError.self) { try ModelRegistry.restore(broken, graph: graph) }
        broken.parameters = m.parameters
        broken.parameters["layer1.attSource"] = Matrix(rows: 2, cols: 3)
        #expect(throws: RecError.self) { try ModelRegistry.restore(broken, graph: graph) }
    }

    @Test func shapesFollowTheOptionsAndTheSeed() {
        let o = TinyGraph.options(["heads": "4"])
        let m = GAT(graph: graph, options: o)
        // The per-type input Linear is `hidden` wide; layer 1 reads it (and ID rows, when on).
        #expect(m.projection == o.hidden && m.parameters["input.users.W"]!.rows == 3)
        #expect(m.parameters["input.movies.W"]!.rows == 2 && m.parameters["input.movies.bias"]!.cols == o.hidden)
        #expect(m.parameters["layer1.W"]!.rows == o.hidden)
        let withIDs = GAT(graph: graph, options: TinyGraph.options(["ids": "on"]))
        #expect(withIDs.parameters["layer1.W"]!.rows == o.hidden + o.dim)
        let featureless = GAT(graph: graph, options: TinyGraph.options(["features": "off"]))
        #expect(featureless.projection == 0 && featureless.parameters["input.users.W"] == nil)
        #expect(m.kind == "gat" && m.isInductive && m.heads == 4 && m.layers == 2)
        #expect(m.parameters["layer1.W"]!.cols == 4 * 8 && m.parameters["layer1.bias"]!.cols == 32)
        #expect(m.parameters["layer2.W"]!.rows == 32 && m.parameters["layer2.W"]!.cols == 4 * 4)
        #expect(m.parameters["layer2.bias"]!.cols == 4 && m.parameters["layer2.attSource"]!.rows == 4)
        #expect(GAT(graph: graph, options: o).parameters == m.parameters)
        #expect(GAT(graph: graph, options: TinyGraph.options(["heads": "4", "seed": "1"])).parameters != m.parameters)
    }

    @Test func newUsersAndEdgesChangeGATEmbeddings() {
        let m = GAT(graph: graph, options: TinyGraph.options(["ids": "on"]))
        let lonely = graph.addingUser(features: [0.5, 0.5, 0.5])
        let e0 = m.embed(lonely)   // an isolated new user: only its self-loop, weight 1
        #expect(e0.users.rows == graph.userCount + 1 && e0.users.storage.allSatisfy(\.isFinite))
        let grown = lonely.adding([Edge(graph.userCount, 3)])
        #expect(m.embed(grown).users.row(graph.userCount) != e0.users.row(graph.userCount))
        let w = m.attention(on: lonely)[0][0]
        #expect(w.entries(of: graph.userCount).map(\.weight) == [1])
    }

    /// The whole GAT + loss step against finite differences on every weight
    /// (attention vectors included), one and two heads.
    @Test(arguments: [["heads": "1"], ["heads": "2"], ["heads": "2", "loss": "margin", "margin": "0.5"],
                      ["heads": "1", "ids": "off"]])
    func fullStepGradientsMatchFiniteDifferences(options: [String: String]) {
        var values = ["ids": "on", "hidden": "4", "dim": "3"]
        values.merge(options) { _, new in new }
        let o = TinyGraph.options(values)
        let sampler = try! NegativeSampler(graph)
        var rng = SeededGenerator(seed: 3)
        let batch = PairBatch(Array(graph.edges.prefix(6)), negatives: 2, sampler: sampler, rng: &rng)
        let trainer = Trainer(options: o)
        var model = GAT(graph: graph, options: o)
        // ELU between layers: smooth, so every coordinate can be compared with a difference
        // quotient (ReLU itself is checked op by op in AutodiffGradientTests).
        model.hiddenActivation = .elu
        let context = model.makeContext(graph)
        var p = model.parameters
        // Larger scores and sharper attention; the input Linear stays as torch initialises it (scaling
        // it too makes the embeddings so large that the difference quotient's eps^2 term dominates).
        for k in p.keys where !k.hasPrefix("input.") { p[k]!.scale(by: 3) }
        func lossAndGrads(_ q: [String: Matrix]) -> (Double, [String: Matrix]) {
            model.parameters = q
            return trainer.step(model, context, batch)
        }
        let (loss0, grads) = lossAndGrads(p)
        #expect(Set(grads.keys) == Set(p.keys))
        // ReLU between layers and LeakyReLU in the logits are kinked: where a step of eps crosses a
        // kink, the central difference averages two slopes. Where it misses the analytic gradient and
        // the one-sided differences disagree, the analytic gradient must match one of them (the side
        // the point is on, to first order); such coordinates are counted and must stay rare.
        var kinks = 0, total = 0
        for (name, g) in grads {
            var numeric = Matrix(rows: g.rows, cols: g.cols)
            let eps: Float = 2e-3
            for i in 0..<g.count {
                var plus = p, minus = p
                plus[name]!.storage[i] += eps
                minus[name]!.storage[i] -= eps
                let up = lossAndGrads(plus).0, down = lossAndGrads(minus).0
                let forward = (up - loss0) / Double(eps), backward = (loss0 - down) / Double(eps)
                var n = (up - down) / Double(2 * eps)
                let gi = Double(g.storage[i])
                let nearer = abs(forward - gi) < abs(backward - gi) ? forward : backward
                if abs(n - gi) > 0.02 * max(abs(gi), 0.05), abs(forward - backward) > 0.1 * max(abs(gi), 0.05),
                   abs(nearer - gi) < 0.1 * max(abs(gi), 0.05) {
                    kinks += 1
                    n = nearer
                }
                numeric.storage[i] = Float(n)
                total += 1
            }
            // The loss is a Float: each difference quotient carries up to ulp(loss)/eps of rounding,
            // which matters for small gradients (a last-layer bias, or a last-layer destination half,
            // which shifts a whole softmax row and so has a gradient near 0). Allow 4x that noise.
            let noise = 4 * Double(Float(loss0).ulp) / Double(eps) * Double(g.count).squareRoot()
            let diff = (g - numeric).norm()
            #expect(diff < 3e-2 * max(g.norm(), numeric.norm()) + noise,
                    "gat \(options) \(name): |g - numeric| \(diff), |g| \(g.norm()), noise \(noise), loss \(loss0)")
        }
        #expect(kinks * 20 < total, "\(kinks) of \(total) coordinates on a kink")
    }

    @Test(arguments: ["bpr", "margin"])
    func lossFallsAndTrainingIsDeterministic(loss: String) throws {
        let g = TinyGraph.make(users: 30, movies: 40)
        let o = TinyGraph.options(["loss": loss, "epochs": "30", "margin": "1", "heads": "2", "ids": "on"])
        var a = GAT(graph: g, options: o), b = GAT(graph: g, options: o)
        let ha = try Trainer(options: o).train(&a, on: g)
        let hb = try Trainer(options: o).train(&b, on: g)
        #expect(ha.loss.last! < ha.loss.first! * 0.9)
        #expect(a.parameters == b.parameters && ha.loss == hb.loss)
    }
}
