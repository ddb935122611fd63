import Testing
import Tensors
@testable import GraphRec

/// The feature GNNs on graphs that lack one or both feature tables (the
/// ml-latest layout has movie genres but no user features).
@Suite struct MissingFeaturesTests {
    static func graph(userFeatures: Bool, movieFeatures: Bool) -> InteractionGraph {
        let full = TinyGraph.make()
        return InteractionGraph(userCount: full.userCount, movieCount: full.movieCount, edges: full.edges,
                                userFeatures: userFeatures ? full.userFeatures : nil,
                                movieFeatures: movieFeatures ? full.movieFeatures : nil)
    }

    static let variants: [[String: String]] = [[:], ["ids": "on"], ["features": "off"], ["layers": "1"],
                                               ["holdout": "on", "dropout": "0.3", "loss": "softmax"]]

    @Test(arguments: [(true, false), (false, true), (false, false)], variants)
    func gcnAndGATTrainAndEmbed(features: (users: Bool, movies: Bool), options: [String: String]) throws {
        let g = Self.graph(userFeatures: features.users, movieFeatures: features.movies)
        let o = TinyGraph.options(options.merging(["epochs": "1"]) { $1 })
        var gcn = GCN(graph: g, options: o)
        var gat = GAT(graph: g, options: o)
        _ = try Trainer(options: o).train(&gcn, on: g)
        _ = try Trainer(options: o).train(&gat, on: g)
        for e in [gcn.embed(g), gat.embed(g)] {
            #expect(e.users.rows == g.userCount && e.items.rows == g.movieCount)
            #expect(e.users.storage.allSatisfy(\.isFinite) && e.items.storage.allSatisfy(\.isFinite))
        }
        // A node type without features is told apart by an ID vector, and the options say so.
        for effective in [gcn.effective(o), gat.effective(o)] {
            #expect(effective.ids)
            #expect(effective.features == (o.features && (features.users || features.movies)))
        }
    }

    /// The movie genres still reach the model when users have none: users' rows are zero there.
    @Test func movieFeaturesAreUsedWithoutUserFeatures() throws {
        let g = Self.graph(userFeatures: false, movieFeatures: true)
        let input = GCN(graph: g, options: TinyGraph.options()).input
        #expect(input.useFeatures && input.useIDs && input.featureWidth == 2)
        let x = try #require(input.features(of: g))
        #expect(x.row(0).allSatisfy { $0 == 0 })
        #expect(x.row(g.userCount) == g.movieFeatures!.row(0))
        #expect(NodeInput.describe(g) == "users: ID embeddings (no user features); movies: 2 features + ID embeddings")
    }

    /// With both tables nothing changes: features only, no IDs unless asked.
    @Test func fullFeaturesKeepTheSeedInput() {
        let g = TinyGraph.make()
        let o = TinyGraph.options()
        #expect(GCN(graph: g, options: o).effective(o) == o)
        #expect(NodeInput.describe(g) == "users: 3 features; movies: 2 features")
    }
}
