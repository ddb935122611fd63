import Foundation
import GraphRec

/// `recommend USER why` for a GAT: each recommended movie m is explained by
/// the two-hop attention paths user -> m1 -> u2 -> m (m1 a movie the user
/// rated, u2 a user who rated both m1 and m) that carried the most weight,
///
///     w = ā^(L)[u <- m1] * ā^(L-1)[u2 <- m1] * ā^(L)[m <- u2]
///
/// (`AttentionInspection.explain`, heads averaged). Other models, and GATs
/// with one layer, keep the embedding-similarity explanation.
struct AttentionWhy {
    let attention: [[AttentionWeights]]
    let user: Int
    /// Paths shown per movie.
    static let top = 3

    /// The explainer for `user` under `model`, or nil when the model is not a
    /// GAT with >= 2 layers or the user is not in the graph the attention runs on.
    static func make(_ model: TrainedModel, graph: InteractionGraph, user: Int) -> AttentionWhy? {
        guard let gat = model.recommender as? GAT, gat.layers >= 2, user < graph.userCount else { return nil }
        return AttentionWhy(attention: gat.attention(on: graph), user: user)
    }

    func explain(movie: Int) throws -> RecommendationExplanation {
        try AttentionInspection.explain(user: user, movie: movie, attention: attention, top: Self.top)
    }

    /// Table cell: "Star Wars (1977) > user 13 (12%); ...": each path's share
    /// of the weight of every path to this movie, so the cells of different
    /// movies read on one scale (raw path weights are products of three
    /// attention weights and run to 1e-5).
    static func cell(_ e: RecommendationExplanation, dataset: Dataset) -> String {
        if e.paths.isEmpty { return "(no two-hop path from the user's movies)" }
        return e.paths.map { p in
            "\(dataset.movies[p.ratedMovie].title) > user \(dataset.users[p.viaUser].id) (\(percent(share(p, of: e))))"
        }.joined(separator: "; ")
    }

    /// A path's weight over the total weight of the movie's paths (0 when there is none).
    static func share(_ p: AttentionPath, of e: RecommendationExplanation) -> Double {
        e.totalWeight > 0 ? p.weight / e.totalWeight : 0
    }

    static func percent(_ x: Double) -> String { x >= 0.01 ? String(format: "%.0f%%", x * 100) : String(format: "%.2f%%", x * 100) }

    /// JSON fields added to a recommended item: `paths` (heaviest first), `path_weight_total`, `path_count`.
    static func fields(_ e: RecommendationExplanation, dataset: Dataset) -> [(String, Value)] {
        let paths: [Value] = e.paths.map { p in
            .object([("rated_movie", .id(dataset.movies[p.ratedMovie].id)),
                     ("rated_title", .string(dataset.movies[p.ratedMovie].title)),
                     ("via_user", .id(dataset.users[p.viaUser].id)),
                     ("weight", .double(p.weight)), ("share", .double(share(p, of: e))),
                     ("user_from_rated", .double(Double(p.userFromRated))),
                     ("via_from_rated", .double(Double(p.viaFromRated))),
                     ("movie_from_via", .double(Double(p.movieFromVia)))])
        }
        return [("paths", .array(paths)), ("path_weight_total", .double(e.totalWeight)), ("path_count", .int(e.pathCount))]
    }

    static func scientific(_ x: Double) -> String { String(format: "%.2e", x) }

    static let note = "attention paths: path weight = ā(L)[user <- rated movie] x ā(L-1)[via user <- rated movie] x ā(L)[movie <- via user], "
        + "heads averaged; the share is of all such paths to that movie: where attention sent the mass, not the score itself"
}
