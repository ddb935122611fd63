import Testing
import Tensors
@testable import GraphRec

/// `whatif` through the edit's receptive field: the edited user's scores must
/// equal those of a full forward pass on the edited graph, for the GCN (with
/// and without ID embeddings and item bias, the user made cold by dropping
/// every edge) and LightGCN, on small fixtures and on ML-100K.
@Suite struct ReceptiveFieldTests {
    static func edited(_ graph: InteractionGraph, _ edit: UserEdit) -> InteractionGraph {
        let u = edit.user
        return edit.added.isEmpty ? graph.removing(edit.removed.map { Edge(u, $0) }) : graph.adding(edit.added.map { Edge(u, $0) })
    }

    /// Largest difference relative to the scores' scale.
    static func gap(_ a: [Float], _ b: [Float]) -> Float {
        let scale = max(1, b.map(abs).max() ?? 0)
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    /// The edit's scores against both full forward passes.
    static func check(_ model: some ReceptiveFieldModel & TrainableModel, _ edit: UserEdit,
                      sourceLocation: SourceLocation = #_sourceLocation) -> ReceptiveField {
        let scores = model.userScores(edit)
        let before = model.embed(edit.graph).scores(user: edit.user)
        let after = model.embed(edited(edit.graph, edit)).scores(user: edit.user)
        #expect(gap(scores.before, before) < 1e-5, sourceLocation: sourceLocation)
        #expect(gap(scores.after, after) < 1e-5, sourceLocation: sourceLocation)
        #expect(gap(before, after) > 1e-4, "the edit moved the scores", sourceLocation: sourceLocation)
        return scores.field
    }

    /// Edits of user 3: a like, two likes, a drop, and every edge dropped.
    static func edits(_ graph: InteractionGraph) throws -> [UserEdit] {
        let u = 3, owned = graph.movies(ofUser: u).map(Int.init)
        let others = (0..<graph.movieCount).filter { !owned.contains($0) }
        return [try UserEdit(graph: graph, user: u, adding: [others[0]]),
                try UserEdit(graph: graph, user: u, adding: [others[1], others[others.count - 1]]),
                try UserEdit(graph: graph, user: u, removing: [owned[0]]),
                try UserEdit(graph: graph, user: u, removing: owned)]
    }

    @Test func theEditedNeighboursAreTheEditedGraphs() throws {
        let graph = TinyGraph.make(users: 20, movies: 25)
        for edit in try Self.edits(graph) {
            let a = Self.edited(graph, edit).adjacency()
            for v in 0..<graph.nodeCount {
                var seen: [Int32] = []
                edit.forEachNeighbor(v) { seen.append(Int32($0)) }
                #expect(seen == Array(a.columns(ofRow: v)), "node \(v)")
                #expect(edit.degree(v) == a.rowCount(v))
            }
        }
    }

    @Test(arguments: [["ids": "on"], ["ids": "on", "bias": "on", "layers": "3"], ["ids": "off"], ["features": "off", "ids": "on"],
                      ["ids": "on", "combine": "mean", "activation": "none"], ["features": "off", "combine": "mean", "layers": "3"],
                      ["ids": "off", "combine": "mean", "bias": "on"], ["ids": "on", "score": "cosine", "bias": "on"]])
    func gcnMatchesTheFullForwardPass(options: [String: String]) throws {
        let graph = TinyGraph.make(users: 20, movies: 25)
        var model = GCN(graph: graph, options: TinyGraph.options(options))
        if var bias = model.weights.itemBias {         // a zero bias would hide a misplaced column
            for i in bias.storage.indices { bias.storage[i] = Float(i % 5) * 0.1 }
            model.weights.itemBias = bias
        }
        for edit in try Self.edits(graph) { _ = Self.check(model, edit) }
    }

    @Test(arguments: [1, 2, 3])
    func lightgcnMatchesTheFullForwardPass(layers: Int) throws {
        let graph = TinyGraph.make(users: 20, movies: 25)
        let model = LightGCN(graph: graph, options: TinyGraph.options(["layers": "\(layers)"]))
        for edit in try Self.edits(graph) { _ = Self.check(model, edit) }
    }

    /// A user whose only movie has no other user drops it: rows without any neighbour aggregate to zero.
    @Test func droppingTheOnlyEdgeOfAMovieAndAUser() throws {
        let graph = InteractionGraph(userCount: 3, movieCount: 3, edges: [Edge(0, 0), Edge(1, 1), Edge(1, 2), Edge(2, 2)],
                                     userFeatures: Matrix([[0.1], [0.5], [0.9]]), movieFeatures: Matrix([[1], [2], [3]]))
        let edit = try UserEdit(graph: graph, user: 0, removing: [0])
        _ = Self.check(GCN(graph: graph, options: TinyGraph.options(["ids": "on"])), edit)
        _ = Self.check(LightGCN(graph: graph, options: TinyGraph.options()), edit)
    }

    @Test func editsThatAreNotEditsAreErrors() {
        let graph = TinyGraph.make()
        let owned = Int(graph.movies(ofUser: 0).first!)
        #expect(throws: RecError.self) { try UserEdit(graph: graph, user: 0, adding: [owned]) }
        #expect(throws: RecError.self) { try UserEdit(graph: graph, user: 0, removing: [graph.movieCount]) }
        #expect(throws: RecError.self) { try UserEdit(graph: graph, user: graph.userCount, adding: [0]) }
    }

    @Test(.enabled(if: ML100KTestData.available))
    func onMovieLensTheFieldIsSmallAndExact() throws {
        let graph = try ML100KTestData.load().graph
        let u = 0, owned = graph.movies(ofUser: u).map(Int.init)
        let like = try UserEdit(graph: graph, user: u, adding: [(0..<graph.movieCount).first { !owned.contains($0) }!])
        let drop = try UserEdit(graph: graph, user: u, removing: [owned[1]])
        let gcn = GCN(graph: graph, options: try TrainOptions(OptionValues(["ids": "on"])))
        for edit in [like, drop] {
            let field = Self.check(gcn, edit)
            #expect(field.rows[0].count == 2)                       // layer 1: the user and the movie
            #expect(field.rows[1].count == edit.movies.count + 1 + edit.removed.count)
        }
        let lightgcn = LightGCN(graph: graph, options: try TrainOptions(OptionValues(["layers": "3"])))
        for edit in [like, drop] {
            let field = Self.check(lightgcn, edit)
            #expect(field.rows.allSatisfy { $0.count < graph.nodeCount })
        }
    }
}
