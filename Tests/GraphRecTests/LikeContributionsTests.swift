import Testing
import Tensors
@testable import GraphRec

/// Leave-one-out contributions equal a plain recomputation: the model's
/// forward pass on the graph without that like, for every model kind.
@Suite struct LikeContributionsTests {
    let graph = TinyGraph.make(users: 24, movies: 18)

    /// Small, fast options per kind (two epochs for the trained ones).
    static let options: [String: [String: String]] = [
        "gcn": ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3"],
        "gat": ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3"],
        "lightgcn": ["dim": "4", "epochs": "2", "batch": "64", "negatives": "3"],
        "mf": ["dim": "4", "epochs": "2"],
        "ncf": ["factors": "4", "mlp": "8,4", "epochs": "2"],
        "als": ["factors": "4", "iterations": "3"],
        "svd": ["factors": "4"],
    ]

    var split: Split {
        Split(kind: .official("u1"), ratios: [], seed: 0, train: graph.edges, validation: [], test: [graph.edges[0]])
    }

    @Test(arguments: ModelRegistry.names)
    func deltaIsTheScoreChangeOfTheForwardPassOnTheEditedGraph(kind: String) throws {
        let fitted = try ModelRegistry.fit(kind, options: Self.options[kind] ?? [:], split: split, graph: graph)
        let user = 3
        guard let forward = LikeContributions.forwardPass(fitted.recommender, user: user) else {
            // Only a model with fixed user vectors and no fold-in cannot answer.
            #expect(!fitted.recommender.isInductive && !(fitted.recommender is any FoldingInRecommender), "\(kind)")
            return
        }
        let likes = graph.movies(ofUser: user).map(Int.init)
        try #require(likes.count >= 3)
        let movies = (0..<graph.movieCount).filter { !likes.contains($0) }
        let c = try LikeContributions.measure(user: user, movies: movies, graph: graph, workers: 2, scorer: forward)
        #expect(c.likes == likes && c.movies == movies)
        let base = forward(graph).scores(user: user)
        var anyNonZero = false
        for (l, like) in likes.enumerated() {
            let edited = graph.removing([Edge(user, like)])
            #expect(edited.edges.count == graph.edges.count - 1)
            let after = forward(edited).scores(user: user)
            for (i, m) in movies.enumerated() {
                let expected = base[m] - after[m]
                let got = c.deltas[i, l]
                #expect(abs(got - expected) <= 1e-5 * max(1, abs(base[m])), "\(kind) like \(like) movie \(m): \(got) vs \(expected)")
                if expected != 0 { anyNonZero = true }
            }
        }
        // Popularity's counts are fixed at training: no like moves a score. Every other model reads the likes.
        #expect(anyNonZero == (kind != "pop"), "\(kind)")
        // One worker gives the same deltas as two.
        let serial = try LikeContributions.measure(user: user, movies: movies, graph: graph, workers: 1, scorer: forward)
        #expect(serial.deltas == c.deltas)
    }

    @Test func topOrdersByDeltaAndStopsAtCount() throws {
        let fitted = try ModelRegistry.fit("ease", options: [:], split: split, graph: graph)
        let forward = try #require(LikeContributions.forwardPass(fitted.recommender, user: 0))
        let movies = (0..<graph.movieCount).filter { !graph.movies(ofUser: 0).contains(Int32($0)) }
        let c = try LikeContributions.measure(user: 0, movies: movies, graph: graph, scorer: forward)
        let top = c.top(0, count: 2)
        #expect(top.count == min(2, c.likes.count))
        #expect(top.map(\.delta) == top.map(\.delta).sorted(by: >))
        #expect(c.top(movies.count, count: 3).isEmpty)
        // Against a rival: each like's lead is its delta minus the rival's, strongest first.
        let led = c.top(0, count: c.likes.count, over: 1)
        #expect(led.map(\.lead) == led.map(\.lead).sorted(by: >))
        for entry in led {
            let l = entry.group
            #expect(c.groups[l] == [l])
            #expect(entry.delta == c.deltas[0, l] && entry.lead == c.deltas[0, l] - c.deltas[1, l])
        }
        #expect(throws: RecError.self) {
            _ = try LikeContributions.measure(user: graph.userCount, movies: [0], graph: graph, scorer: forward)
        }
    }
}
