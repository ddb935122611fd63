import Foundation
import GraphRec

/// `recommend USER why`: each recommended movie explained by the likes whose
/// removal lowers its score most (`LikeContributions`, the model's forward
/// pass on the graph without that one like).
struct LikeExplanation {
    let contributions: LikeContributions

    /// The explanation of `movies` for `user`, or nil for a model whose
    /// scores cannot move with the graph (fixed user vectors, no fold-in).
    static func make(_ model: TrainedModel, graph: InteractionGraph, user: Int, movies: [Int]) throws -> LikeExplanation? {
        try LikeContributions.measure(model.recommender, user: user, movies: movies, graph: graph).map(LikeExplanation.init)
    }

    /// "+0.0123" / "-0.0004": three significant digits, so deltas that differ
    /// by orders of magnitude stay readable side by side.
    static func signed(_ x: Float) -> String {
        let d = Double(x)
        if d == 0 { return "0" }
        let magnitude = abs(d)
        let text = magnitude >= 0.001 && magnitude < 1000 ? String(format: "%.3g", magnitude) : String(format: "%.2e", magnitude)
        return (d > 0 ? "+" : "-") + text
    }

    /// What the deltas mean, and how far apart the first and the fifth
    /// contributor of the top movie are.
    func notes(dataset: Dataset, model: TrainedModel) -> [String] {
        let c = contributions
        var notes = ["because: the score drop when that one like is removed from the graph and \(model.name)'s forward "
            + "pass runs again (leave-one-out over the user's \(c.likes.count) likes; exact, no retraining)"]
        if c.likes.isEmpty {
            notes.append("user \(dataset.users[c.user].id) has no likes in the graph: nothing to remove, no contributor")
        } else if c.deltas.storage.allSatisfy({ $0 == 0 }) {
            notes.append("every delta is 0: \(model.name) (\(model.kind)) does not score from this user's likes")
        } else if !c.movies.isEmpty, c.likes.count >= 5 {
            let ranked = c.top(0, count: 5)
            let first = ranked[0].delta, fifth = ranked[4].delta
            let ratio = first <= 0 ? "no like raises this score"
                : fifth > 0 ? String(format: "%.1fx apart", Double(first / fifth)) : "the fifth does not raise it at all"
            notes.append("\(dataset.movies[c.movies[0]].title): first contributor \(Self.signed(first)), fifth \(Self.signed(fifth)): "
                + ratio)
        }
        return notes
    }
}
