import Tensors
@testable import GraphRec

/// A small random bipartite graph with features, for model and trainer tests.
enum TinyGraph {
    static func make(users: Int = 12, movies: Int = 15, features: Bool = true, seed: UInt64 = 1) -> InteractionGraph {
        var rng = SeededGenerator(seed: seed, stream: "tiny")
        var edges: [Edge] = []
        for u in 0..<users {
            for m in 0..<movies where rng.nextDouble() < 0.3 || (m == u % movies) { edges.append(Edge(u, m)) }
        }
        let uf = features ? Matrix.uniform(rows: users, cols: 3, low: 0, high: 1, using: &rng) : nil
        let mf = features ? Matrix.uniform(rows: movies, cols: 2, low: 0, high: 1, using: &rng) : nil
        return InteractionGraph(userCount: users, movieCount: movies, edges: edges, userFeatures: uf, movieFeatures: mf)
    }

    static func options(_ values: [String: String] = [:]) -> TrainOptions {
        var v = ["hidden": "8", "dim": "4", "batch": "16", "negatives": "3", "lr": "0.01"]
        v.merge(values) { _, new in new }
        return try! TrainOptions(OptionValues(v))
    }
}
