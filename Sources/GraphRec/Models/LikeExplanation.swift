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
public struct LikeExplanation: Sendable {
    /// What `recommend ... why` removes together.
    public enum Unit: String, CaseIterable, Sendable {
        /// All of the user's likes of one genre (a like with several genres is in several groups).
        case genre
        /// The user's likes clustered by the model's own movie vectors (`LikeGroups.clustering`).
        case cluster
        /// Each like alone.
        case like
    }

    /// One explaining unit for one movie.
    public struct Contributor: Sendable {
        /// The genre, "cluster N", or the liked movie's title.
        public let name: String
        /// The liked movies removed together.
        public let likes: [Int]
        /// The member whose own removal costs the movie's lead most.
        public let strongest: Int
        public let delta: Float
        public let lead: Float
    }

    public let unit: Unit
    /// The unit `by=` asked for: `.genre` becomes `.cluster` when the user's likes have no genre to group by.
    public let asked: Unit
    /// Every like alone (kept for JSON's `because` and for each group's strongest member).
    public let singles: LikeContributions
    /// The groups of `unit` (nil for `.like`) and their names.
    public let grouped: LikeContributions?
    public let names: [String]
    /// Position in `singles.movies` of the rival (the best movie not shown),
    /// nil when every candidate is shown.
    public let rival: Int?
    /// The explained movies (the measured movies without the rival).
    public let shown: Int

    /// The explanation of `movies` for `user` by `unit`, against the
    /// best-scored movie in `scores` that is neither shown nor liked; nil for
    /// a model whose scores cannot move with the graph (fixed user vectors, no
    /// fold-in). `vectors` are the model's movie vectors (for `.cluster`).
    public static func make(_ model: TrainedModel, dataset: Dataset, graph: InteractionGraph, user: Int, movies: [Int],
                     scores: [Float], unit asked: Unit, vectors: Matrix) throws -> LikeExplanation? {
        let excluded = Set(movies).union(graph.movies(ofUser: user).map(Int.init))
        let rival = scores.indices.filter { !excluded.contains($0) }
            .max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }
        let measured = movies + (rival.map { [$0] } ?? [])
        let likes = graph.movies(ofUser: user).map(Int.init)
        var groups: [[Int]] = []
        var names: [String] = []
        var unit = asked
        if unit == .genre {
            let byGenre = LikeGroups.byGenre(likes: likes, genres: dataset.movies.map(\.genres))
            groups = byGenre.groups.groups
            names = byGenre.names
            // A data set without genres (or likes sharing them all) has no genre unit: an empty explanation is no answer.
            if groups.isEmpty && !likes.isEmpty { unit = .cluster }
        }
        switch unit {
        case .like, .genre:
            break
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
        return LikeExplanation(unit: unit, asked: asked, singles: singles, grouped: grouped, names: names,
                               rival: rival == nil ? nil : movies.count, shown: movies.count)
    }

    /// The rival's movie index, if there is one.
    public var rivalMovie: Int? { rival.map { singles.movies[$0] } }

    /// The single likes behind the movie at `position`, strongest first.
    public func topLikes(_ position: Int, count: Int) -> [(movie: Int, delta: Float, lead: Float)] {
        singles.top(position, count: count, over: rival).map { (singles.likes[singles.groups[$0.group][0]], $0.delta, $0.lead) }
    }

    /// The units behind the movie at `position` (groups, or single likes for
    /// `.like`), strongest first, each with its strongest member like.
    public func contributors(_ position: Int, count: Int, titles: (Int) -> String) -> [Contributor] {
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
    public var unitCount: Int { grouped?.groups.count ?? singles.likes.count }

    /// The leads of the first and the fifth contributor of the top movie, and
    /// their ratio (nil unless both raise it); nil with fewer than 5 units.
    public var firstAndFifth: (first: Float, fifth: Float, ratio: Double?)? {
        guard shown > 0, unitCount >= 5, !singles.likes.isEmpty else { return nil }
        let all = contributors(0, count: 5, titles: { _ in "" }).map(\.lead)
        let ratio = all[0] > 0 && all[4] > 0 ? Double(all[0] / all[4]) : nil
        return (all[0], all[4], ratio)
    }
}
