import Foundation
import Synchronization
import Testing
import Tensors
@testable import GraphRec

@Suite struct NCFTests {
    let graph = TinyGraph.make()

    static func options(_ values: [String: String] = [:]) -> NCFOptions {
        var v = ["factors": "4", "mlp": "8,6,4", "batch": "16", "lr": "0.01", "epochs": "3"]
        v.merge(values) { _, new in new }
        return try! NCFOptions(OptionValues(v))
    }

    /// A model whose biases are non-zero, so every parameter matters.
    func model(_ towers: NCF.Towers = .both, seed: UInt64 = 3) -> NCF {
        var m = NCF(users: graph.userCount, movies: graph.movieCount, options: Self.options(), towers: towers)
        var rng = SeededGenerator(seed: seed)
        for name in m.parameters.keys where name.contains(".b") {
            let p = m.parameters[name]!
            m.parameters[name] = .normal(rows: p.rows, cols: p.cols, std: 0.3, using: &rng)
        }
        for name in ["gmf.users", "gmf.movies", "mlp.users", "mlp.movies"] where m.parameters[name] != nil {
            let p = m.parameters[name]!
            m.parameters[name] = .normal(rows: p.rows, cols: p.cols, std: 0.5, using: &rng)
        }
        return m
    }

    /// Every pair's logit on the tape, the training forward pass.
    func tapeScores(_ m: NCF) -> Matrix {
        var users: [Int32] = [], items: [Int32] = []
        for u in 0..<graph.userCount { for i in 0..<graph.movieCount { users.append(Int32(u)); items.append(Int32(i)) } }
        let t = Tape()
        let y = NCF.logits(t, m.weights.bind { t.constant($1) }, users: users, items: items)
        return t.value(y).reshaped(rows: graph.userCount, cols: graph.movieCount)
    }

    @Test(arguments: [NCF.Towers.both, .gmf, .mlp])
    func blockScorerMatchesThePairwiseForwardPass(towers: NCF.Towers) throws {
        let m = model(towers)
        let scorer = m.scorer(graph)
        let all = scorer.scores(users: Array(0..<graph.userCount)[...])
        #expect(all.rows == graph.userCount && all.cols == graph.movieCount)
        #expect(all.maxAbsDifference(tapeScores(m)) < 1e-4)
        // Any block of users, in any order, gives the same rows.
        let some = scorer.scores(users: [7, 2, 2][...])
        #expect(some.row(0) == all.row(7) && some.row(1) == all.row(2) && some.row(2) == all.row(2))
    }

    @Test func embeddingScorerIsTheDotProduct() {
        var rng = SeededGenerator(seed: 1)
        let e = Embeddings(users: .normal(rows: 5, cols: 3, using: &rng), items: .normal(rows: 4, cols: 3, using: &rng))
        let s = e.scores(users: [4, 0][...])
        let expected = BLAS.matmul(e.users, e.items, transposeB: true)
        #expect(s.row(0) == expected.row(4) && s.row(1) == expected.row(0))
    }

    /// Finite differences of the batch loss in every weight: the tape ops
    /// NCF composes (gathers, Hadamard, concatenation, dense layers, ReLU,
    /// log-sigmoid) back-propagate correctly together.
    @Test(arguments: [NCFOptions.Loss.bce, .bpr])
    func lossGradientsMatchFiniteDifferences(loss: NCFOptions.Loss) throws {
        let m = model()
        let sampler = try NegativeSampler(graph)
        var rng = SeededGenerator(seed: 4)
        let batch = PairBatch(Array(graph.edges.prefix(6)), negatives: 2, sampler: sampler, rng: &rng)
        func value(_ p: [String: Matrix]) -> Double {
            var weights = m.weights
            weights.assign(p)
            let t = Tape()
            return Double(t.value(NCF.loss(t, weights.bind { t.constant($1) }, batch, loss)).storage[0])
        }
        let t = Tape()
        var w: [String: Variable] = [:]
        t.backward(NCF.loss(t, m.weights.bind { name, x in
            let v = t.parameter(x)
            w[name] = v
            return v
        }, batch, loss))
        let eps: Float = 3e-3
        for name in m.parameters.keys.sorted() {
            let analytic = t.gradient(w[name]!) ?? Matrix(rows: m.parameters[name]!.rows, cols: m.parameters[name]!.cols)
            var numeric = analytic
            for i in 0..<numeric.count {
                var plus = m.parameters, minus = m.parameters
                plus[name]!.storage[i] += eps
                minus[name]!.storage[i] -= eps
                numeric.storage[i] = Float((value(plus) - value(minus)) / Double(2 * eps))
            }
            // Relative, with a floor: a weight the loss ignores (the output bias under BPR) has gradient 0.
            let error = (analytic - numeric).norm() / max(analytic.norm(), numeric.norm(), 1e-3)
            #expect(error < 2e-2, "\(name): relative error \(error), analytic norm \(analytic.norm())")
        }
    }

    @Test func trainingLowersTheLossAndTheSeedFixesTheModel() throws {
        let o = Self.options(["epochs": "8"])
        let a = try NCF.fit(graph: graph, options: o)
        let b = try NCF.fit(graph: graph, options: o)
        #expect(a.history.loss.count == 8 && a.history.loss.last! < a.history.loss.first!)
        #expect(a.model.parameters == b.model.parameters)
        let c = try NCF.fit(graph: graph, options: Self.options(["epochs": "8", "seed": "1"]))
        #expect(c.model.parameters != a.model.parameters)
        let bpr = try NCF.fit(graph: graph, options: Self.options(["epochs": "8", "loss": "bpr"]))
        #expect(bpr.history.loss.last! < bpr.history.loss.first!)
    }

    @Test func validationKeepsTheBestEpochAndPatienceStops() throws {
        var calls = 0
        let scores = [0.1, 0.3, 0.2, 0.25, 0.1]
        let fit = try NCF.fit(graph: graph, options: Self.options(["epochs": "5", "patience": "2"])) { _ in
            calls += 1
            return scores[calls - 1]
        }
        #expect(calls == 4 && fit.history.bestEpoch == 2 && fit.history.stoppedEarly)
    }

    @Test func stopRequestKeepsWhatWasTrained() throws {
        let control = RunControl(shouldStop: { true })
        let fit = try NCF.fit(graph: graph, options: Self.options(), control: control)
        #expect(fit.history.interrupted && fit.history.epochs == 0)
    }

    /// Each batch reports progress, and a stop request is seen before the next batch.
    @Test func trainingReportsEachBatchAndStopsBetweenBatches() throws {
        let updates = Mutex<[ProgressUpdate]>([])
        let control = RunControl(shouldStop: { updates.withLock { $0.count >= 5 } },
                                 report: { u in updates.withLock { $0.append(u) } })
        let fit = try NCF.fit(graph: graph, options: Self.options(["batch": "1", "epochs": "50"]), control: control)
        let seen = updates.withLock { $0 }
        #expect(fit.history.interrupted && seen.count == 5)
        #expect(seen.map(\.done) == [1, 2, 3, 4, 5] && seen.allSatisfy { $0.label == "ncf epoch 1/50" && $0.total == graph.edgeCount })
    }

    /// The estimate follows the products of options (batch x negatives pairs
    /// through each MLP width times the next), and a refusal names a smaller
    /// setting, MLP widths spelled as a list, that passes the same check.
    @Test func costEstimateRefusesOptionProductsAndOffersASettingThatFits() throws {
        let counts = TrainingCost.Counts(users: 943, movies: 1682, edges: 80_000, featureWidth: 0)
        let small = NCF.trainingCost(NCFOptions(), counts)
        #expect(small.bytes < 50e6 && small.stepSeconds < 1)
        var huge = NCFOptions()
        huge.factors = 1024
        huge.mlp = [4096, 4096, 4096]
        huge.negatives = 1000
        #expect(NCF.trainingCost(huge, counts).bytes > 50e9)
        var pairs = NCFOptions()
        pairs.negatives = 1000
        pairs.batchSize = 10_000_000
        #expect(NCF.trainingCost(pairs, counts).bytes > 100 * small.bytes)
        var widths = NCFOptions()
        widths.mlp = [1024, 4096, 4096]
        #expect(NCF.trainingCost(widths, counts).stepSeconds > 600)    // the scoring pass: every pair through 4096 x 4096

        let big = InteractionGraph(userCount: 943, movieCount: 1682, edges: (0..<80_000).map { Edge($0 % 943, $0 % 1682) })
        let budget = ResourceBudget(memoryLimit: 200e6, system: { SystemMemory(bytes: 64e9, source: "test") })
        var wide = NCFOptions()
        wide.mlp = [4096, 2048, 1024]
        let error = try #require(throws: RecError.self) { try NCF.checkCost(wide, graph: big, budget: budget) }
        #expect(error.message.hasPrefix("estimated cost: needs about") && error.message.contains("200 MB available (memory-limit)"))
        let suggested = try #require(error.message.split(separator: " ").first { $0.hasPrefix("mlp=") })
        var fitting = wide
        fitting.mlp = try NCFOptions.parseWidths(String(suggested.dropFirst(4)))
        #expect(fitting.mlp.count == 3 && fitting.mlp[0] < 4096 && fitting.mlp[0] % 2 == 0)
        try NCF.checkCost(fitting, graph: big, budget: budget)
        try NCF.checkCost(NCFOptions(), graph: big, budget: budget)
    }

    @Test func pretrainingStartsNeuMFFromBothTowers() throws {
        let fit = try NCF.fit(graph: graph, options: Self.options(["pretrain": "on", "epochs": "2"]))
        #expect(fit.model.hasGMF && fit.model.hasMLP && fit.model.parameters["out.w"]!.rows == 4 + 4)
        #expect(fit.history.loss.count == 2)
    }

    @Test func restoringParametersGivesTheSameScores() throws {
        let m = model()
        let r = try NCF(parameters: m.parameters)
        let users = Array(0..<graph.userCount)[...]
        #expect(r.scorer(graph).scores(users: users) == m.scorer(graph).scores(users: users))
        for broken in ["out.w", "mlp.b2", "gmf.movies"] {
            var p = m.parameters
            p[broken] = nil
            #expect(throws: RecError.self) { try NCF(parameters: p) }
        }
        var wrong = m.parameters
        wrong["mlp.w2"] = Matrix(rows: 5, cols: 4)
        #expect(throws: RecError.self) { try NCF(parameters: wrong) }
    }

    @Test func usersWithoutEdgesAreRankedByPopularityAndNewUsersFoldedIn() throws {
        let m = model()
        let lonely = graph.addingUser(features: nil)
        let s = try #require(m.scorer(lonely) as? NCFScorer)
        let u = graph.userCount
        #expect(s.popularityUsers == [u] && s.foldedUsers.isEmpty)
        #expect(s.scores(user: u) == (0..<graph.movieCount).map { Float(lonely.degree(movie: $0)) })

        // A newcomer who likes what user 0 likes is folded in: not popularity, and close to user 0's taste.
        let likes = graph.movies(ofUser: 0).map { Edge(u, Int($0)) }
        let grown = lonely.adding(likes)
        let g = try #require(m.scorer(grown) as? NCFScorer)
        #expect(g.foldedUsers == [u] && g.popularityUsers.isEmpty)
        let newcomer = g.scores(user: u)
        let liked = Set(graph.movies(ofUser: 0).map(Int.init))
        let meanLiked = liked.map { newcomer[$0] }.reduce(0, +) / Float(liked.count)
        let others = (0..<graph.movieCount).filter { !liked.contains($0) }
        let meanOther = others.map { newcomer[$0] }.reduce(0, +) / Float(others.count)
        #expect(meanLiked > meanOther)
        // Trained users keep their scores; refitting one changes only that one.
        let users = Array(0..<graph.userCount)[...]
        #expect(g.scores(users: users) == m.scorer(graph).scores(users: users))
        let refit = m.scorer(graph, refitting: [1]).scores(users: users)
        let base = m.scorer(graph).scores(users: users)
        #expect(refit.row(1) != base.row(1) && refit.row(2) == base.row(2))
    }

    @Test func optionsAreCheckedAndRecorded() throws {
        #expect(NCFOptions().mlp == [64, 32, 16, 8] && NCFOptions().factors == 8 && NCFOptions().negatives == 4)
        #expect(NCFOptions().batchSize == 256 && NCFOptions().learningRate == 0.001 && NCFOptions().loss == .bce)
        #expect(try NCFOptions(OptionValues(["mlp": "64-32-16-8"])).mlp == [64, 32, 16, 8])
        for bad in [["mlp": "63,8"], ["mlp": "64"], ["mlp": "64,x"], ["loss": "margin"], ["layers": "2"], ["factors": "0"]] {
            #expect(throws: RecError.self) { try NCFOptions(OptionValues(bad)) }
        }
        let o = try NCFOptions(OptionValues(["pretrain": "on", "patience": "3"]))
        #expect(try NCFOptions(OptionValues(o.asDictionary)) == o)
        #expect(Set(o.asDictionary.keys) == Set(NCFOptions.declared.map(\.name)))
    }
}
