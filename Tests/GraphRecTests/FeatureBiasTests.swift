import Foundation
import Testing
import Tensors
@testable import GraphRec

/// `feature-bias=on`: the wide rows, the gradient by finite differences,
/// training, and data without user features.
@Suite struct FeatureBiasTests {
    static let graph = TinyGraph.make(users: 30, movies: 20, seed: 4)
    static var split: Split {
        Split(kind: .official("u1"), ratios: [], seed: 0, train: graph.edges, validation: [], test: [graph.edges[0]])
    }

    @Test func binaryColumnsStayAndContinuousOnesBecomeBumps() throws {
        // Column 0 continuous (0, 0.5, 1), column 1 binary.
        let x = Matrix(rows: 3, cols: 2, storage: [0, 1, 0.5, 0, 1, 1])
        let g = InteractionGraph(userCount: 3, movieCount: 2, edges: [Edge(0, 0)], userFeatures: x)
        let wide = try #require(FeatureBias.wideFeatures(g))
        #expect(wide.cols == FeatureBias.bumps + 1)
        #expect(wide.row(0).last == 1 && wide.row(1).last == 0 && wide.row(2).last == 1)
        for (u, v) in [(0, Float(0)), (1, 0.5), (2, 1)] {
            let bumps = Array(wide.row(u).prefix(FeatureBias.bumps))
            let peak = try #require(bumps.indices.max { bumps[$0] < bumps[$1] })
            let nearest = Int((v * Float(FeatureBias.bumps - 1)).rounded())
            #expect(abs(peak - nearest) <= 1, "user \(u)")
            #expect(bumps.allSatisfy { $0 > 0 && $0 <= 1 })
        }
        let bare = InteractionGraph(userCount: 3, movieCount: 2, edges: [Edge(0, 0)])
        #expect(FeatureBias.wideFeatures(bare) == nil && FeatureBias.width(bare) == 0)
    }

    /// The loss sum_k c_k * score(u_k, m_k) through a GCN with the feature bias.
    static func loss(_ model: GCN, _ context: GCN.Context, pairs: [(Int32, Int32)], coefficients: [Float]) -> (Double, [String: Matrix]) {
        let tape = Tape()
        let (weights, variables) = Trainer.bind(model, on: tape)
        let z = model.forward(tape, context, weights: weights)
        let s = tape.gatheredRowDot(z.users, pairs.map { $0.0 }, z.items, pairs.map { $0.1 })
        let l = tape.sum(tape.mul(s, tape.constant(Matrix(rows: pairs.count, cols: 1, storage: coefficients))))
        tape.backward(l)
        return (Double(tape.value(l).storage[0]), variables.compactMapValues { tape.gradient($0) })
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        let g = Self.graph
        let model = GCN(graph: g, options: TinyGraph.options(["feature-bias": "on", "bias": "on"]))
        var m = model
        var rng = SeededGenerator(seed: 9)
        m.weights.featureBias = Matrix.normal(rows: g.movieCount, cols: FeatureBias.width(g), std: 0.5, using: &rng)
        let context = m.makeContext(g)
        let pairs: [(Int32, Int32)] = [(0, 1), (3, 4), (3, 7), (10, 1), (29, 19)]
        let coefficients: [Float] = [1, -2, 0.5, 1.5, -1]
        let (_, gradients) = Self.loss(m, context, pairs: pairs, coefficients: coefficients)
        let analytic = try #require(gradients[FeatureBias.name])
        let h: Float = 1e-2
        var checked = 0
        for r in [1, 4, 7, 19] {
            for c in stride(from: 0, to: analytic.cols, by: 5) {
                var plus = m, minus = m
                plus.weights.featureBias![r, c] += h
                minus.weights.featureBias![r, c] -= h
                let numeric = (Self.loss(plus, context, pairs: pairs, coefficients: coefficients).0
                    - Self.loss(minus, context, pairs: pairs, coefficients: coefficients).0) / (2 * Double(h))
                #expect(abs(numeric - Double(analytic[r, c])) <= 1e-2 * max(1, abs(numeric)), "W[\(r), \(c)]")
                checked += 1
            }
        }
        #expect(checked >= 8)
        // The gradient is the user's wide row summed over the pairs with that movie: nonzero only where a pair has it.
        #expect(analytic.row(2).allSatisfy { $0 == 0 })
        #expect(analytic.row(1).contains { $0 != 0 })
    }

    @Test func itTrainsAsExtraScoreColumns() throws {
        for kind in ["gcn", "gat"] {
            let fitted = try ModelRegistry.fit(kind, options: ["hidden": "8", "dim": "4", "epochs": "3", "feature-bias": "on",
                                                               "cold-share": "0.5"],
                                               split: Self.split, graph: Self.graph)
            let w = try #require(fitted.recommender.parameters[FeatureBias.name], "\(kind)")
            let wide = try #require(FeatureBias.wideFeatures(Self.graph))
            #expect(w.rows == Self.graph.movieCount && w.cols == wide.cols)
            #expect(w.storage.contains { $0 != 0 }, "\(kind): W never trained")
            let e = try #require(fitted.embeddings)
            #expect(e.dimension == 4 + wide.cols, "\(kind)")
            for u in [0, 5, 29] { #expect(Array(e.users.row(u).suffix(wide.cols)) == wide.row(u)) }
            #expect(fitted.options.text["feature-bias"] == "on")
        }
    }

    @Test func offByDefaultAndOffWithoutUserFeatures() throws {
        let plain = try ModelRegistry.fit("gcn", options: ["hidden": "8", "dim": "4", "epochs": "1"], split: Self.split, graph: Self.graph)
        #expect(plain.recommender.parameters[FeatureBias.name] == nil)
        #expect(try #require(plain.embeddings).dimension == 4)

        let movieOnly = InteractionGraph(userCount: Self.graph.userCount, movieCount: Self.graph.movieCount, edges: Self.graph.edges,
                                         movieFeatures: Self.graph.movieFeatures)
        let fitted = try ModelRegistry.fit("gcn", options: ["hidden": "8", "dim": "4", "epochs": "1", "feature-bias": "on"],
                                           split: Self.split, graph: movieOnly)
        #expect(fitted.recommender.parameters[FeatureBias.name] == nil)
        #expect(fitted.options.text["feature-bias"] == "off")
        #expect(fitted.notes.contains { $0.contains("no user features") })
        let prior = try ModelRegistry.fit("gcn", options: ["hidden": "8", "dim": "4", "epochs": "1", "feature-bias": "prior",
                                                           "bias": "on"], split: Self.split, graph: movieOnly)
        #expect(prior.recommender.parameters[FeatureBias.name] == nil && prior.options.text["feature-bias"] == "off")
        let start = GCN(graph: movieOnly, options: TinyGraph.options(["feature-bias": "prior", "bias": "on"]))
        #expect(start.weights.featureBias == nil && start.weights.itemBias?.storage.allSatisfy { $0 == 0 } == true)
    }

    /// Ages 0.2 and 0.8 (continuous), genders F and M (0/1): the F users and the young users like movie 0,
    /// the M users and the old like movie 1, everyone likes movie 2; movie 3 nobody.
    static let demographic: InteractionGraph = {
        var x = Matrix(rows: 8, cols: 3)
        var edges: [Edge] = []
        for u in 0..<8 {
            let young = u < 4, female = u % 2 == 0
            x[u, 0] = young ? 0.2 : 0.8
            x[u, female ? 1 : 2] = 1
            if young || female { edges.append(Edge(u, 0)) }
            if !young || !female { edges.append(Edge(u, 1)) }
            edges.append(Edge(u, 2))
        }
        return InteractionGraph(userCount: 8, movieCount: 4, edges: edges, userFeatures: x,
                                movieFeatures: Matrix(rows: 4, cols: 1, repeating: 1))
    }()

    @Test func naiveBayesIsLogPopularityPlusDemographicLogRatios() throws {
        let g = Self.demographic
        let prior = try #require(FeatureBias.naiveBayes(g))
        let likes: [Float] = [6, 6, 8, 0], total: Float = 20
        for m in 0..<4 { #expect(abs(prior.item[m, 0] - log((likes[m] + 1) / (total + 4))) < 1e-5) }
        // The F column (wide column `bumps`): the 4 F users liked movie 0 4 times, 1 twice, 2 4 times (C = 10).
        let p = (0..<4).map { exp(prior.item[$0, 0]) }
        let f = FeatureBias.bumps
        let a = FeatureBias.priorPseudoLikes, n: Float = 4
        let expected = n / (n + FeatureBias.priorHalfUsers) * (log((4 + a * p[0]) / (10 + a)) - log(p[0]))
        #expect(abs(prior.feature[0, f] - expected) < 1e-4)
        // A new young woman: movie 0 first, and movie 3 (no likes) last; an old man: movie 1 before movie 0.
        func scores(age: Float, female: Bool) throws -> [Float] {
            let user = InteractionGraph(userCount: 1, movieCount: 4, edges: [],
                                        userFeatures: Matrix(rows: 1, cols: 3, storage: [age, female ? 1 : 0, female ? 0 : 1]))
            let x = try #require(FeatureBias.wideFeatures(user))
            return (0..<4).map { m in prior.item[m, 0] + (0..<x.cols).reduce(0) { $0 + x[0, $1] * prior.feature[m, $1] } }
        }
        let youngWoman = try scores(age: 0.2, female: true), oldMan = try scores(age: 0.8, female: false)
        #expect(youngWoman[0] > youngWoman[1] && youngWoman[3] == youngWoman.min())
        #expect(oldMan[1] > oldMan[0] && oldMan[3] == oldMan.min())
        // Without edges there is nothing to count: uniform b, zero W.
        let empty = try #require(FeatureBias.naiveBayes(g.withoutEdges))
        #expect(Set(empty.item.storage).count == 1 && empty.feature.storage.allSatisfy { $0 == 0 })
    }

    /// p(m | x_u) = softmax_m(b_m + x_u . w_m) for every user with likes (rows), as `prior` models it.
    static func likeProbabilities(_ g: InteractionGraph, _ prior: (item: Matrix, feature: Matrix)) throws -> [(user: Int, p: [Double])] {
        let x = try #require(FeatureBias.wideFeatures(g))
        return (0..<g.userCount).filter { g.degree(user: $0) > 0 }.map { u in
            let logits = (0..<g.movieCount).map { m in
                Double(prior.item[m, 0]) + (0..<x.cols).reduce(0.0) { $0 + Double(x[u, $1] * prior.feature[m, $1]) }
            }
            let top = logits.max() ?? 0
            let e = logits.map { exp($0 - top) }, z = e.reduce(0, +)
            return (u, e.map { $0 / z })
        }
    }

    /// Mean negative log-likelihood per train like under `prior`'s model.
    static func likeLoss(_ g: InteractionGraph, _ prior: (item: Matrix, feature: Matrix)) throws -> Double {
        let rows = try likeProbabilities(g, prior)
        let total = rows.reduce(0.0) { sum, r in sum - g.movies(ofUser: r.user).reduce(0.0) { $0 + log(r.p[Int($1)]) } }
        return total / Double(g.edgeCount)
    }

    @Test func priorIsTheFittedMultinomialModelOfTheLikes() throws {
        for g in [Self.demographic, Self.graph] {
            let start = try #require(FeatureBias.naiveBayes(g)), fit = try #require(FeatureBias.prior(g))
            // The fit explains the train likes better than its naive-Bayes start.
            #expect(try Self.likeLoss(g, fit) < Self.likeLoss(g, start) - 1e-3)
            // At the optimum b's gradient is zero: the expected likes of each movie,
            // sum_u n_u p(m | x_u), match its train likes.
            var expected = [Double](repeating: 0, count: g.movieCount)
            for row in try Self.likeProbabilities(g, fit) {
                for m in 0..<g.movieCount { expected[m] += Double(g.degree(user: row.user)) * row.p[m] }
            }
            for m in 0..<g.movieCount {
                #expect(abs(expected[m] - Double(g.degree(movie: m))) <= 0.05 * Double(g.edgeCount) / Double(g.movieCount),
                        "movie \(m): \(expected[m]) expected likes against \(g.degree(movie: m))")
            }
            // No randomness: the same graph, the same prior.
            let again = try #require(FeatureBias.prior(g))
            #expect(again.item == fit.item && again.feature == fit.feature)
            // In blocks of a few users at a time (as on a large graph) the fit is the same up to rounding.
            let blocks = try #require(FeatureBias.prior(g, block: 3 * g.movieCount))
            #expect(blocks.item.maxAbsDifference(fit.item) < 1e-4 && blocks.feature.maxAbsDifference(fit.feature) < 1e-4)
        }
        // Demographics still order the movies: young women movie 0 over 1, old men 1 over 0, unliked movie 3 last.
        let fit = try #require(FeatureBias.prior(Self.demographic))
        let p = try Self.likeProbabilities(Self.demographic, fit)
        let youngWoman = try #require(p.first { $0.user == 0 }), oldMan = try #require(p.first { $0.user == 7 })
        #expect(youngWoman.p[0] > youngWoman.p[1] && oldMan.p[1] > oldMan.p[0])
        #expect(youngWoman.p[3] == youngWoman.p.min() && oldMan.p[3] == oldMan.p.min())
        let empty = try #require(FeatureBias.prior(Self.demographic.withoutEdges))
        #expect(Set(empty.item.storage).count == 1 && empty.feature.storage.allSatisfy { $0 == 0 })
    }

    @Test func priorStartsTheBiasesAndTrainingMovesThem() throws {
        let g = Self.graph
        let start = try #require(FeatureBias.prior(g))
        let model = GCN(graph: g, options: TinyGraph.options(["feature-bias": "prior", "bias": "on"]))
        #expect(model.weights.featureBias == start.feature && model.weights.itemBias == start.item)
        let zero = GCN(graph: g, options: TinyGraph.options(["feature-bias": "on", "bias": "on"]))
        #expect(zero.weights.featureBias?.storage.allSatisfy { $0 == 0 } == true)
        for kind in ["gcn", "gat"] {
            let fitted = try ModelRegistry.fit(kind, options: ["hidden": "8", "dim": "4", "epochs": "2", "bias": "on",
                                                               "feature-bias": "prior"], split: Self.split, graph: g)
            let w = try #require(fitted.recommender.parameters[FeatureBias.name], "\(kind)")
            #expect(w != start.feature, "\(kind): W never trained")
            #expect(fitted.options.text["feature-bias"] == "prior")
            // fixed: the same start, kept while the GNN's own weights train.
            let fixed = try ModelRegistry.fit(kind, options: ["hidden": "8", "dim": "4", "epochs": "2", "bias": "on",
                                                              "feature-bias": "fixed"], split: Self.split, graph: g)
            #expect(fixed.recommender.parameters[FeatureBias.name] == start.feature, "\(kind)")
            #expect(fixed.recommender.parameters[ItemBias.name] == start.item, "\(kind)")
            let options = TinyGraph.options(["bias": "on", "feature-bias": "fixed"])
            let fresh = kind == "gcn" ? GCN(graph: g, options: options).parameters : GAT(graph: g, options: options).parameters
            let moved = fixed.recommender.parameters.filter { fresh[$0.key] != nil && fresh[$0.key] != $0.value }.keys
            #expect(!moved.isEmpty && !moved.contains(FeatureBias.name), "\(kind): the GNN's own weights train")
            #expect(fixed.options.text["feature-bias"] == "fixed")
        }
    }

    @Test func sampledNeighboursRefuseIt() {
        #expect(throws: RecError.self) {
            try ModelRegistry.fit("gcn", options: ["hidden": "8", "dim": "4", "epochs": "1", "feature-bias": "on",
                                                   "sampler": "neighbors", "fanout": "3,3"],
                                  split: Self.split, graph: Self.graph)
        }
    }
}
