import Foundation
import GraphRec

/// `recommend USER why`: each recommended movie explained by the likes whose
/// removal costs it most of its lead over the cut (`LikeContributions`, the
/// model's forward pass on the graph without that one like, or its exact
/// shortcut).
///
/// Why the lead and not the plain score drop: in a GNN most of what one like
/// does is move the user's vector along the direction every movie shares, so
/// the plain drop ranks the same few likes first for every movie. The ranking
/// only reads score differences; the lead of a shown movie over the best movie
/// left out (the rival, rank K+1) is the difference that decides whether it is
/// shown, and a like that lifts both alike counts 0 there.
struct LikeExplanation {
    let contributions: LikeContributions
    /// Position in `contributions.movies` of the rival (the best movie not
    /// shown), nil when every candidate is shown.
    let rival: Int?
    /// The explained movies (contributions.movies without the rival).
    let shown: Int

    /// The explanation of `movies` for `user`, against the best-scored movie
    /// in `scores` that is neither shown nor liked; nil for a model whose
    /// scores cannot move with the graph (fixed user vectors, no fold-in).
    static func make(_ model: TrainedModel, graph: InteractionGraph, user: Int, movies: [Int],
                     scores: [Float]) throws -> LikeExplanation? {
        let excluded = Set(movies).union(graph.movies(ofUser: user).map(Int.init))
        let rival = scores.indices.filter { !excluded.contains($0) }
            .max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }
        let measured = movies + (rival.map { [$0] } ?? [])
        guard let c = try LikeContributions.measure(model.recommender, user: user, movies: measured, graph: graph) else { return nil }
        return LikeExplanation(contributions: c, rival: rival == nil ? nil : movies.count, shown: movies.count)
    }

    /// The rival's movie index, if there is one.
    var rivalMovie: Int? { rival.map { contributions.movies[$0] } }

    /// The likes behind the movie at `position`, strongest first.
    func top(_ position: Int, count: Int) -> [(movie: Int, delta: Float, lead: Float)] {
        contributions.top(position, count: count, over: rival)
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

    /// The table column's header.
    var column: String {
        rival == nil ? "because you liked (score drop without that like)"
            : "because you liked (lead over #\(shown + 1) lost without that like)"
    }

    /// What the numbers mean, and how far apart the first and the fifth
    /// contributor of the top movie are, with how widely the lift is spread.
    func notes(dataset: Dataset, model: TrainedModel) -> [String] {
        let c = contributions
        var notes: [String] = []
        let method = "each like is removed from the graph in turn and \(model.name)'s score is recomputed "
            + "(leave-one-out over the user's \(c.likes.count) likes; exact, no retraining)"
        if let rivalMovie {
            notes.append("because: \(method); the number is how much the movie's lead over \(dataset.movies[rivalMovie].title) "
                + "(#\(shown + 1), the best movie not shown) shrinks without that like, so a like that lifts every movie alike "
                + "counts 0 (JSON: lead_delta; delta is the plain score drop)")
        } else {
            notes.append("because: \(method); the number is the score drop without that like (every candidate is shown, "
                + "so there is no movie below the cut to measure a lead against)")
        }
        if c.likes.isEmpty {
            notes.append("user \(dataset.users[c.user].id) has no likes in the graph: nothing to remove, no contributor")
        } else if c.deltas.storage.allSatisfy({ $0 == 0 }) {
            notes.append("every delta is 0: \(model.name) (\(model.kind)) does not score from this user's likes")
        } else if shown > 0, c.likes.count >= 5 {
            let all = top(0, count: c.likes.count).map(\.lead)
            let first = all[0], fifth = all[4]
            let raising = all.filter { $0 > 0 }
            let ratio = first <= 0 ? "no like raises it"
                : fifth > 0 ? String(format: "%.1fx apart", Double(first / fifth)) : "the fifth does not raise it at all"
            var line = "\(dataset.movies[c.movies[0]].title): first contributor \(Self.signed(first)), fifth \(Self.signed(fifth)): \(ratio)"
            if first > 0 {
                let total = raising.reduce(0, +), share = raising.prefix(5).reduce(0, +) / total
                line += String(format: "; %d of %d likes raise it and the top 5 carry %.0f%% of their lift", raising.count,
                               c.likes.count, Double(share) * 100)
                if share < 0.5 { line += " (spread over many likes: no single one decides)" }
            }
            notes.append(line)
        }
        return notes
    }
}
