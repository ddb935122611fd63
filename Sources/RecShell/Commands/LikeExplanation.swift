import Foundation
import GraphRec
import Tensors

/// `recommend USER why`: each recommended movie explained by the groups of
/// the user's likes (or single likes) whose removal costs it most of its lead
/// over the cut (`LikeContributions`: the model's forward pass on the graph
/// without those likes, or its exact shortcut).
///
/// Why groups by default: a user with 100+ likes is a mean over 100+
/// neighbours, so one like barely moves any score and the top five single
/// likes are within a factor of two of each other. A taste does decide:
/// removing all of the user's likes of one genre moves the movies of that
/// genre far more than the rest. The unit is fixed per command (`by=`), never
/// chosen per movie.
///
/// Why the lead and not the plain score drop: in a GNN most of what a like
/// does is move the user's vector along the direction every movie shares, so
/// the plain drop ranks the same likes first for every movie. The ranking
/// only reads score differences; the lead of a shown movie over the best movie
/// left out (the rival, rank K+1) is the difference that decides whether it is
/// shown, and a like that lifts both alike counts 0 there.
struct LikeExplanation {
    /// What `recommend ... why` removes together.
    enum Unit: String, CaseIterable {
        /// All of the user's likes of one genre (a like with several genres is in several groups).
        case genre
        /// The user's likes clustered by the model's own movie vectors (`LikeGroups.clustering`).
        case cluster
        /// Each like alone.
        case like
    }

    /// One explaining unit for one movie.
    struct Contributor {
        /// The genre, "cluster N", or the liked movie's title.
        let name: String
        /// The liked movies removed together.
        let likes: [Int]
        /// The member whose own removal costs the movie's lead most.
        let strongest: Int
        let delta: Float
        let lead: Float
    }

    let unit: Unit
    /// Every like alone (kept for JSON's `because` and for each group's strongest member).
    let singles: LikeContributions
    /// The groups of `unit` (nil for `.like`) and their names.
    let grouped: LikeContributions?
    let names: [String]
    /// Position in `singles.movies` of the rival (the best movie not shown),
    /// nil when every candidate is shown.
    let rival: Int?
    /// The explained movies (the measured movies without the rival).
    let shown: Int

    /// The explanation of `movies` for `user` by `unit`, against the
    /// best-scored movie in `scores` that is neither shown nor liked; nil for
    /// a model whose scores cannot move with the graph (fixed user vectors, no
    /// fold-in). `vectors` are the model's movie vectors (for `.cluster`).
    static func make(_ model: TrainedModel, dataset: Dataset, graph: InteractionGraph, user: Int, movies: [Int],
                     scores: [Float], unit: Unit, vectors: Matrix) throws -> LikeExplanation? {
        let excluded = Set(movies).union(graph.movies(ofUser: user).map(Int.init))
        let rival = scores.indices.filter { !excluded.contains($0) }
            .max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }
        let measured = movies + (rival.map { [$0] } ?? [])
        let likes = graph.movies(ofUser: user).map(Int.init)
        var groups: [[Int]] = []
        var names: [String] = []
        switch unit {
        case .like:
            break
        case .genre:
            let byGenre = LikeGroups.byGenre(likes: likes, genres: dataset.movies.map(\.genres))
            groups = byGenre.groups.groups
            names = byGenre.names
        case .cluster:
            groups = LikeGroups.clustering(likes: likes, vectors: vectors, count: LikeGroups.count(likes: likes.count)).groups
            names = groups.indices.map { "cluster \($0 + 1)" }
        }
        // Single likes and groups in one measurement: a graph model's forward pass runs once.
        let n = likes.count
        guard let all = try LikeContributions.measure(model.recommender, user: user, movies: measured, graph: graph,
                                                      groups: LikeContributions.singles(n) + groups) else { return nil }
        let singles = all.restricted(to: 0..<n)
        let grouped = unit == .like ? nil : all.restricted(to: n..<n + groups.count)
        return LikeExplanation(unit: unit, singles: singles, grouped: grouped, names: names,
                               rival: rival == nil ? nil : movies.count, shown: movies.count)
    }

    /// The rival's movie index, if there is one.
    var rivalMovie: Int? { rival.map { singles.movies[$0] } }

    /// The single likes behind the movie at `position`, strongest first.
    func topLikes(_ position: Int, count: Int) -> [(movie: Int, delta: Float, lead: Float)] {
        singles.top(position, count: count, over: rival).map { (singles.likes[singles.groups[$0.group][0]], $0.delta, $0.lead) }
    }

    /// The units behind the movie at `position` (groups, or single likes for
    /// `.like`), strongest first, each with its strongest member like.
    func contributors(_ position: Int, count: Int, titles: (Int) -> String) -> [Contributor] {
        guard let grouped else {
            return topLikes(position, count: count).map {
                Contributor(name: titles($0.movie), likes: [$0.movie], strongest: $0.movie, delta: $0.delta, lead: $0.lead)
            }
        }
        // Each like's own lead, to name the group member that matters most.
        let likeRow = singles.deltas.row(position)
        let likeBase = rival.map { singles.deltas.row($0) } ?? [Float](repeating: 0, count: singles.likes.count)
        return grouped.top(position, count: count, over: rival).map { entry in
            let members = grouped.groups[entry.group]
            let best = members.max { a, b in
                let x = likeRow[a] - likeBase[a], y = likeRow[b] - likeBase[b]
                return x < y || (x == y && a > b)
            } ?? members[0]
            return Contributor(name: names[entry.group], likes: members.map { singles.likes[$0] },
                               strongest: singles.likes[best], delta: entry.delta, lead: entry.lead)
        }
    }

    /// How many units the movie's explanation ranks.
    var unitCount: Int { grouped?.groups.count ?? singles.likes.count }

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

    /// The leads of the first and the fifth contributor of the top movie, and
    /// their ratio (nil unless both raise it); nil with fewer than 5 units.
    var firstAndFifth: (first: Float, fifth: Float, ratio: Double?)? {
        guard shown > 0, unitCount >= 5, !singles.likes.isEmpty else { return nil }
        let all = contributors(0, count: 5, titles: { _ in "" }).map(\.lead)
        let ratio = all[0] > 0 && all[4] > 0 ? Double(all[0] / all[4]) : nil
        return (all[0], all[4], ratio)
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
