import Testing
import Tensors
@testable import GraphRec

/// Users a model cannot rank as trained (no edges; a new user with a few
/// likes) are scored by the method the kind declares, never by the tie rule
/// that ranks all-equal scores by movie index.
@Suite struct ColdStartTests {
    static let graph = TinyGraph.make(users: 40, movies: 25, seed: 7)
    static let split = try! Split.cold(positives: graph.edges, seed: 1)
    static var train: InteractionGraph {
        InteractionGraph(userCount: graph.userCount, movieCount: graph.movieCount, edges: split.train,
                         userFeatures: graph.userFeatures, movieFeatures: graph.movieFeatures)
    }
    static let small = ["hidden": "8", "dim": "4", "batch": "64", "negatives": "3", "epochs": "2", "factors": "4",
                        "layers": "1", "mlp": "8,4"]

    /// The options of `small` that `kind` declares.
    static func options(_ kind: any ModelKind.Type) -> [String: String] {
        small.filter { key, _ in kind.options.contains { $0.name == key } }
    }

    /// Movie indices by descending score, lower index first on ties (the evaluator's order).
    static func ranking(_ scores: [Float]) -> [Int] {
        scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    static func popularityRanking(_ g: InteractionGraph) -> [Int] {
        ranking((0..<g.movieCount).map { Float(g.degree(movie: $0)) })
    }

    /// What the test demands of one user's scores under `method`.
    static func check(_ scores: [Float], method: ScoringMethod, graph g: InteractionGraph, _ label: String) {
        let order = ranking(scores)
        if method == .popularity {
            #expect(order == popularityRanking(g), "\(label): said popularity, ranked otherwise")
        } else {
            #expect(order != Array(0..<scores.count), "\(label): \(method.rawValue) gave the tie rule's identity order")
            #expect(Set(scores).count > 1, "\(label): \(method.rawValue) gave every movie the same score")
        }
    }

    @Test func everyKindDeclaresBothCases() {
        for kind in ModelRegistry.kinds {
            let declared = kind.capabilities.coldUsers
            #expect(declared.noEdges == .features || declared.noEdges == .popularity, "\(kind.name)")
            #expect(declared.fewLikes != .trained && declared.fewLikes != .features, "\(kind.name)")
        }
        #expect(ModelRegistry.kinds.count == 10)
    }

    @Test func coldUsersAreNeverRankedByTheTieRule() throws {
        let train = Self.train
        let cold = (0..<train.userCount).filter { train.degree(user: $0) == 0 }
        try #require(cold.count >= 3)
        for kind in ModelRegistry.kinds {
            let fitted = try ModelRegistry.fit(kind.name, options: Self.options(kind), split: Self.split, graph: train)
            let declared = ColdStart.coldUsers(of: fitted.recommender, graph: train)
            for u in cold {
                let method = ColdStart.method(user: u, graph: train, declared: declared, refitting: [])
                #expect(method == kind.capabilities.coldUsers.noEdges, "\(kind.name) user \(u)")
                Self.check(fitted.scorer.scores(user: u), method: method, graph: train, "\(kind.name) cold user \(u)")
            }
            let counts = ColdStart.methodCounts(fitted.recommender, graph: train, users: cold)
            #expect(counts.count == 1 && counts[0].users == cold.count, "\(kind.name): \(counts)")
        }
    }

    @Test func newUsersWithAndWithoutLikes() throws {
        let train = Self.train
        for kind in ModelRegistry.kinds {
            let fitted = try ModelRegistry.fit(kind.name, options: Self.options(kind), split: Self.split, graph: train)
            let features = train.userFeatures.map { _ in [Float](repeating: 0.5, count: train.userFeatures!.cols) }
            let lonely = train.addingUser(features: features)
            let newUser = train.userCount
            let liked = train.addingUser(features: features).adding([Edge(newUser, 3), Edge(newUser, 7), Edge(newUser, 11)])
            for (g, label) in [(lonely, "no likes"), (liked, "three likes")] {
                let declared = ColdStart.coldUsers(of: fitted.recommender, graph: g)
                let method = ColdStart.method(user: newUser, graph: g, declared: declared, refitting: [newUser])
                let expected = label == "no likes" ? kind.capabilities.coldUsers.noEdges : kind.capabilities.coldUsers.fewLikes
                #expect(method == expected, "\(kind.name) \(label)")
                let scorer = ColdStart.scorer(fitted.recommender, graph: g, refitting: [newUser])
                // Popularity is the training graph's (the new user's likes are not counted).
                Self.check(scorer.scores(user: newUser), method: method, graph: train, "\(kind.name) new user, \(label)")
            }
        }
    }

    @Test func aFeatureGNNWithoutFeaturesFallsBack() throws {
        let train = Self.train
        let fitted = try ModelRegistry.fit("gcn", options: ["hidden": "8", "dim": "4", "epochs": "1", "features": "off"],
                                           split: Self.split, graph: train)
        let declared = ColdStart.coldUsers(of: fitted.recommender, graph: train)
        #expect(declared.noEdges == .popularity && declared.fewLikes == .graph)
        let u = try #require((0..<train.userCount).first { train.degree(user: $0) == 0 })
        #expect(Self.ranking(fitted.scorer.scores(user: u)) == Self.popularityRanking(train))
        #expect(fitted.embeddings != nil)  // the fallback keeps the model's embeddings for LSH, similar and export
    }

    /// A user without edges under a GNN with IDs is placed by features alone:
    /// its (never trained) ID row does not enter the forward pass.
    @Test func coldUsersIgnoreTheirUntrainedIDRow() throws {
        let train = Self.train
        let u = try #require((0..<train.userCount).first { train.degree(user: $0) == 0 })
        for kind in ["gcn", "gat"] {
            var model = try #require(try ModelRegistry.fit(kind, options: ["hidden": "8", "dim": "4", "epochs": "1", "ids": "on"],
                                                          split: Self.split, graph: train).recommender as? any TrainableModel)
            let before = model.embed(train).users.row(u)
            var p = model.parameters
            var table = try #require(p["ids.users"])
            for c in 0..<table.cols { table[u, c] += 5 }
            p["ids.users"] = table
            model.parameters = p
            #expect(model.embed(train).users.row(u) == before, "\(kind)")
        }
    }

    @Test func foldInRanksTheLikedMoviesUp() {
        var rng = SeededGenerator(seed: 3, stream: "items")
        let items = Matrix.normal(rows: 30, cols: 6, std: 1, using: &rng)
        let likes = [2, 9, 17]
        let v = ColdStart.foldIn(items: items, likes: likes, seed: 0, user: 0)
        #expect(v == ColdStart.foldIn(items: items, likes: likes, seed: 0, user: 0))
        let scores = (0..<30).map { m in (0..<6).reduce(Float(0)) { $0 + v[$1] * items[m, $1] } }
        let mean = scores.reduce(0, +) / 30
        #expect(likes.allSatisfy { scores[$0] > mean })
    }

    /// A user trained as new aggregates nothing; its movies still aggregate over it.
    @Test func coldShareHidesOnlyTheUsersOwnAggregation() throws {
        let g = TinyGraph.make(users: 6, movies: 5, seed: 2)
        let u = try #require((0..<6).first { g.degree(user: $0) > 0 })
        let offsets = g.edges.indices.filter { Int(g.edges[$0].user) == u }
        let a = NodeInput.messageAdjacency(g, coldFrom: g.removing(edgesAt: offsets))
        let full = g.adjacency()
        #expect(a.rowCount(u) == 0)
        for r in 0..<full.rows where r != u { #expect(a.columns(ofRow: r) == full.columns(ofRow: r)) }
        let movie = g.userCount + Int(g.edges[offsets[0]].movie)
        #expect(a.columns(ofRow: movie).contains(Int32(u)))
        #expect(NodeInput.messageAdjacency(g, coldFrom: g).colIndex == full.colIndex)
    }

    @Test func itemBiasIsAScoreColumn() throws {
        let train = Self.train
        for kind in ["gcn", "gat"] {
            let fitted = try ModelRegistry.fit(kind, options: ["hidden": "8", "dim": "4", "epochs": "2", "bias": "on", "cold-share": "0.5"],
                                               split: Self.split, graph: train)
            let e = try #require(fitted.embeddings)
            #expect(e.dimension == 5, "\(kind)")
            #expect((0..<train.userCount).allSatisfy { e.users[$0, 4] == 1 }, "\(kind)")
            let bias = try #require(fitted.recommender.parameters[ItemBias.name])
            #expect(bias.rows == train.movieCount && bias.cols == 1)
            #expect((0..<train.movieCount).map { e.items[$0, 4] } == bias.storage)
            #expect(bias.storage.contains { $0 != 0 }, "\(kind): the bias never trained")
        }
    }
}
