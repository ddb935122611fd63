import Foundation
import Testing
import Tensors
@testable import GraphRec

/// The exact shortcuts (`LeaveOutShortcut`) give the deltas of the
/// reference: the model's forward pass on the graph without each like, or
/// without each group of likes together (`LikeContributions.measure(scorer:)`),
/// on a small fixture for every shape the shortcut covers and on ML-100K.
@Suite struct LeaveOutShortcutTests {
    let graph = TinyGraph.make(users: 24, movies: 18)

    var split: Split {
        Split(kind: .official("u1"), ratios: [], seed: 0, train: graph.edges, validation: [], test: [graph.edges[0]])
    }

    /// Model kind, options, and whether the shortcut must apply (false: the forward pass per like answers).
    static let cases: [(kind: String, options: [String: String], shortcut: Bool)] = [
        ("gcn", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3"], true),
        ("gcn", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3", "ids": "on", "bias": "on"], true),
        ("gcn", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3", "layers": "1"], true),
        ("gcn", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3", "bias": "on", "feature-bias": "on"], true),
        ("gcn", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3", "layers": "3"], false),
        ("gcn", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3", "score": "cosine"], false),
        ("gat", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3"], true),
        ("gat", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3", "ids": "on", "bias": "on"], true),
        ("gat", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3", "heads": "3"], true),
        ("gat", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3", "feature-bias": "on"], true),
        ("gat", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3", "layers": "1", "heads": "2"], true),
        ("gat", ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3", "features": "off"], true),
        ("ease", [:], true),
        ("itemknn", [:], true),
        ("als", ["factors": "4", "iterations": "3"], true),
        ("lightgcn", ["dim": "4", "epochs": "2", "batch": "64", "negatives": "3"], false),
    ]

    /// max |a - b| over the deltas, relative to max(1, |score|) per movie.
    static func worst(_ a: LikeContributions, _ b: LikeContributions) -> Float {
        var worst: Float = 0
        for i in 0..<a.movies.count {
            let scale = max(1, abs(b.scores[i]))
            for g in 0..<a.groups.count { worst = max(worst, abs(a.deltas[i, g] - b.deltas[i, g]) / scale) }
        }
        return worst
    }

    /// Groups of every shape the shortcuts meet: overlapping, one like, all
    /// likes but one, unordered with a repeat (normalised by `measure`).
    static func groups(likes n: Int) -> [[Int]] {
        [[0, 1], [1, 2], [n - 1], Array(1..<n), [2, 0, 0], Array(stride(from: 0, to: n, by: 2))]
    }

    @Test(arguments: cases.indices)
    func shortcutEqualsTheForwardPassPerLike(index: Int) throws {
        let c = Self.cases[index]
        let fitted = try ModelRegistry.fit(c.kind, options: c.options, split: split, graph: graph)
        let forward = try #require(LikeContributions.forwardPass(fitted.recommender, user: 0))
        for user in [3, 7] {
            let likes = graph.movies(ofUser: user).map(Int.init)
            try #require(likes.count >= 3)
            let movies = (0..<graph.movieCount).filter { !likes.contains($0) }
            let scorer = LikeContributions.forwardPass(fitted.recommender, user: user) ?? forward
            for groups in [nil, Self.groups(likes: likes.count)] {
                let shortcut = (fitted.recommender as? any LeaveOutShortcut)?
                    .leaveOut(user: user, likes: likes, groups: try LikeContributions.checked(groups ?? LikeContributions.singles(likes.count), likes: likes.count),
                              movies: movies, graph: graph)
                #expect((shortcut != nil) == c.shortcut, "\(c.kind) \(c.options)")
                let fast = try #require(try LikeContributions.measure(fitted.recommender, user: user, movies: movies, graph: graph, groups: groups))
                let reference = try LikeContributions.measure(user: user, movies: movies, graph: graph, groups: groups, scorer: scorer)
                #expect(fast.likes == reference.likes && fast.movies == reference.movies && fast.groups == reference.groups)
                #expect(fast.groups.count == (groups ?? likes.map { [$0] }).count)
                #expect(Self.worst(fast, reference) <= 1e-4, "\(c.kind) \(c.options) user \(user) groups \(fast.groups)")
                for i in movies.indices { #expect(abs(fast.scores[i] - reference.scores[i]) <= 1e-4 * max(1, abs(reference.scores[i]))) }
                #expect(fast.deltas.storage.contains { $0 != 0 }, "\(c.kind): no like moves any score")
            }
        }
    }

    /// A liked movie among the explained ones moves with the user's state: the
    /// graph shortcuts step aside and the forward pass answers, still exact.
    @Test(arguments: ["gcn", "gat"])
    func aLikedMovieFallsBackToTheForwardPass(kind: String) throws {
        let options = ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3"]
        let fitted = try ModelRegistry.fit(kind, options: options, split: split, graph: graph)
        let user = 3, likes = graph.movies(ofUser: user).map(Int.init)
        let movies = Array(0..<graph.movieCount)
        let shortcut = try #require(fitted.recommender as? any LeaveOutShortcut)
        #expect(shortcut.leaveOut(user: user, likes: likes, groups: LikeContributions.singles(likes.count), movies: movies, graph: graph) == nil)
        let forward = try #require(LikeContributions.forwardPass(fitted.recommender, user: user))
        let fast = try #require(try LikeContributions.measure(fitted.recommender, user: user, movies: movies, graph: graph))
        let reference = try LikeContributions.measure(user: user, movies: movies, graph: graph, scorer: forward)
        #expect(fast.deltas == reference.deltas)
    }

    /// A group holding every like leaves the user without edges: the graph
    /// shortcuts step aside for the whole measurement and the forward pass answers.
    @Test(arguments: ["gcn", "gat"])
    func aGroupOfEveryLikeFallsBackToTheForwardPass(kind: String) throws {
        let options = ["hidden": "8", "dim": "4", "epochs": "2", "batch": "64", "negatives": "3"]
        let fitted = try ModelRegistry.fit(kind, options: options, split: split, graph: graph)
        let user = 3, likes = graph.movies(ofUser: user).map(Int.init)
        let movies = (0..<graph.movieCount).filter { !likes.contains($0) }
        let groups = [Array(likes.indices), [0]]
        let shortcut = try #require(fitted.recommender as? any LeaveOutShortcut)
        #expect(shortcut.leaveOut(user: user, likes: likes, groups: groups, movies: movies, graph: graph) == nil)
        let forward = try #require(LikeContributions.forwardPass(fitted.recommender, user: user))
        let fast = try #require(try LikeContributions.measure(fitted.recommender, user: user, movies: movies, graph: graph, groups: groups))
        #expect(fast.deltas == (try LikeContributions.measure(user: user, movies: movies, graph: graph, groups: groups, scorer: forward)).deltas)
        #expect(throws: RecError.self) { _ = try LikeContributions.measure(fitted.recommender, user: user, movies: movies, graph: graph, groups: [[]]) }
        #expect(throws: RecError.self) {
            _ = try LikeContributions.measure(fitted.recommender, user: user, movies: movies, graph: graph, groups: [[likes.count]])
        }
    }

    /// A user with one like loses every edge without it (and its ID row with
    /// ids=on): the forward pass answers that case.
    @Test func aSingleLikeFallsBackToTheForwardPass() throws {
        var edges = graph.edges.filter { $0.user != 5 }
        edges.append(Edge(5, 2))
        let g = InteractionGraph(userCount: graph.userCount, movieCount: graph.movieCount, edges: edges,
                                 userFeatures: graph.userFeatures, movieFeatures: graph.movieFeatures)
        let s = Split(kind: .official("u1"), ratios: [], seed: 0, train: g.edges, validation: [], test: [g.edges[0]])
        let fitted = try ModelRegistry.fit("gcn", options: ["hidden": "8", "dim": "4", "epochs": "1", "ids": "on"], split: s, graph: g)
        let movies = (0..<g.movieCount).filter { $0 != 2 }
        let shortcut = try #require(fitted.recommender as? any LeaveOutShortcut)
        #expect(shortcut.leaveOut(user: 5, likes: [2], groups: [[0]], movies: movies, graph: g) == nil)
        let fast = try #require(try LikeContributions.measure(fitted.recommender, user: 5, movies: movies, graph: g))
        let forward = try #require(LikeContributions.forwardPass(fitted.recommender, user: 5))
        #expect(fast.deltas == (try LikeContributions.measure(user: 5, movies: movies, graph: g, scorer: forward)).deltas)
    }
}

/// The same on ML-100K (warm split of the test loader): one epoch of training
/// at the default widths, a user with about 30 likes, every movie they do not
/// like, each like alone and the likes clustered into groups.
@Suite(.serialized, .enabled(if: ML100KTestData.available))
struct LeaveOutShortcutOnMovieLensTests {
    static let cases: [(kind: String, options: [String: String])] = [
        ("gcn", ["epochs": "1"]),
        ("gat", ["epochs": "1"]),
        ("gat", ["epochs": "1", "ids": "on"]),
        ("lightgcn", ["epochs": "1"]),
        ("ease", [:]),
        ("als", [:]),
    ]

    @Test(arguments: cases.indices)
    func shortcutEqualsTheForwardPassPerLike(index: Int) throws {
        let c = Self.cases[index]
        let d = try ML100KTestData.load()
        let graph = d.graph
        let split = Split(kind: .official("u1"), ratios: [], seed: 0, train: graph.edges, validation: [], test: [graph.edges[0]])
        let fitted = try ModelRegistry.fit(c.kind, options: c.options, split: split, graph: graph)
        let user = try #require((0..<graph.userCount).first { (28...32).contains(graph.degree(user: $0)) })
        let likes = graph.movies(ofUser: user).map(Int.init)
        let movies = (0..<graph.movieCount).filter { !likes.contains($0) }
        let forward = try #require(LikeContributions.forwardPass(fitted.recommender, user: user))
        let clusters = LikeGroups.clustering(likes: likes, vectors: fitted.recommender.scorer(graph).movieVectors.vectors,
                                             count: LikeGroups.count(likes: likes.count)).groups
        #expect(clusters.count > 1 && clusters.flatMap { $0 }.sorted() == Array(likes.indices))
        for groups in [nil, clusters] {
            let fast = try #require(try LikeContributions.measure(fitted.recommender, user: user, movies: movies, graph: graph, groups: groups))
            let reference = try LikeContributions.measure(user: user, movies: movies, graph: graph, groups: groups, scorer: forward)
            let worst = LeaveOutShortcutTests.worst(fast, reference)
            print("leave-out shortcut \(c.kind) \(c.options): user \(user) (\(likes.count) likes, \(fast.groups.count) groups), max |fast - reference| \(worst)")
            #expect(worst <= 1e-4, "\(c.kind) \(c.options)")
            #expect(fast.deltas.storage.contains { $0 != 0 })
        }
    }
}
