import Foundation
import GraphRec

/// How `recommend USER why` words a `LikeExplanation`: the cells, the
/// column header and the notes under the table.
extension LikeExplanation {
    /// "+0.0123" / "-0.0004": three significant digits, so deltas that differ
    /// by orders of magnitude stay readable side by side.
    static func signed(_ x: Float) -> String {
        let d = Double(x)
        if d == 0 { return "0" }
        let magnitude = abs(d)
        let text = magnitude >= 0.001 && magnitude < 1000 ? String(format: "%.3g", magnitude) : String(format: "%.2e", magnitude)
        return (d > 0 ? "+" : "-") + text
    }

    /// The table cell of one contributor.
    static func cell(_ c: Contributor, unit: Unit, titles: (Int) -> String) -> String {
        switch unit {
        case .like: "\(c.name) \(signed(c.lead))"
        case .genre, .cluster: "\(c.name) (\(c.likes.count) likes, most \(titles(c.strongest))) \(signed(c.lead))"
        }
    }

    /// What the unit is, in words.
    var unitDescription: String {
        switch unit {
        case .genre: "all your likes of one genre, removed together"
        case .cluster: "a cluster of your likes that the model's movie vectors place together, removed together"
        case .like: "one like, removed alone"
        }
    }

    /// The table column's header.
    var column: String {
        let what = switch unit {
        case .genre: "because you liked (genre groups:"
        case .cluster: "because you liked (clusters of similar likes:"
        case .like: "because you liked (single likes:"
        }
        return rival == nil ? "\(what) score drop without the group)"
            : "\(what) lead over #\(shown + 1) lost without \(unit == .like ? "it" : "the group"))"
    }

    /// What the numbers mean, and how far apart the first and the fifth
    /// contributor of the top movie are, with how widely the lift is spread.
    func notes(dataset: Dataset, model: TrainedModel) -> [String] {
        let c = singles
        let title = { (m: Int) in dataset.movies[m].title }
        var notes: [String] = []
        let removed = switch unit {
        case .genre: "all of the user's likes of one genre are removed from the graph together (\(unitCount) genres among "
            + "\(c.likes.count) likes; a like with several genres is in each of them; a genre every like has is left out)"
        case .cluster: "the user's \(c.likes.count) likes are clustered into \(unitCount) groups by \(model.name)'s own movie vectors "
            + "(cosine k-means, about one group per 4 likes, at most 10; each like in one group) and each group is removed from the graph"
        case .like: "each of the user's \(c.likes.count) likes is removed from the graph in turn"
        }
        let method = "\(removed) and \(model.name)'s score is recomputed (exact, no retraining)"
        if let rivalMovie {
            notes.append("because: \(method); the number is how much the movie's lead over \(title(rivalMovie)) "
                + "(#\(shown + 1), the best movie not shown) shrinks without them, so likes that lift every movie alike "
                + "count 0 (JSON: lead_delta; delta is the plain score drop)")
        } else {
            notes.append("because: \(method); the number is the score drop without them (every candidate is shown, "
                + "so there is no movie below the cut to measure a lead against)")
        }
        if asked != unit {
            notes.append("by=\(asked.rawValue): the user's likes have no genre to group them by in this data set, "
                + "so they are clustered instead (by=\(unit.rawValue))")
        }
        if unit != .like {
            notes.append("unit: \(unitDescription); 'most' names the member whose removal alone costs the movie most; "
                + "by=like shows single likes (JSON: because lists single likes, because_groups the groups)")
        }
        if c.likes.isEmpty {
            notes.append("user \(dataset.users[c.user].id) has no likes in the graph: nothing to remove, no contributor")
        } else if c.deltas.storage.allSatisfy({ $0 == 0 }) {
            notes.append("every delta is 0: \(model.name) (\(model.kind)) does not score from this user's likes")
        } else if let (first, fifth, ratio) = firstAndFifth {
            let raising = contributors(0, count: unitCount, titles: title).map(\.lead).filter { $0 > 0 }
            let ratio = first <= 0 ? "none raises it"
                : ratio.map { String(format: "%.1fx apart", $0) } ?? "the fifth does not raise it at all"
            let noun = unit == .like ? "likes" : "groups"
            var line = "\(title(c.movies[0])): first contributor \(Self.signed(first)), fifth \(Self.signed(fifth)): \(ratio)"
            if first > 0 && unit == .genre {
                line += "; \(raising.count) of \(unitCount) genres raise it (genres overlap, so their deltas do not add up)"
            } else if first > 0 {
                let total = raising.reduce(0, +), share = raising.prefix(5).reduce(0, +) / total
                line += String(format: "; %d of %d %@ raise it and the top 5 carry %.0f%% of their lift", raising.count,
                               unitCount, noun, Double(share) * 100)
                if share < 0.5 { line += " (spread over many \(noun): no single one decides)" }
            }
            notes.append(line)
        } else if shown > 0 {
            notes.append("\(unitCount) \(unit == .like ? "likes" : "groups"): fewer than 5, so no first-to-fifth comparison")
        }
        return notes
    }
}
