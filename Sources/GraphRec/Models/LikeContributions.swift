import Tensors

/// How much each of a user's liked movies, or each group of them, holds up
/// the scores of some movies, measured counterfactually: the group's likes are
/// removed from the graph together, the model's forward pass runs again, and
/// the score change is the group's contribution,
///
///     delta(S, m) = score(u, m | G) - score(u, m | G without edges (u, l), l in S)
///
/// Exact for every model, since it is the model's own forward pass on the
/// edited graph (no gradient, no linearisation), the same question `whatif
/// ... drops` answers. Positive: the group pulls m up; negative: it holds m
/// down. A single like is a group of one (the default). Deltas of groups are
/// not sums of their members' deltas except for models whose score is a sum
/// over likes (EASE, ItemKNN): a GNN's mean aggregation renormalises.
///
/// The edited graphs are independent: they are spread over worker threads,
/// each built from the user's contiguous edge offsets (no hashing), and only
/// this user's scores are computed on each.
public struct LikeContributions: Sendable {
    /// The explained user.
    public let user: Int
    /// The user's liked movies (their edges in the graph), ascending.
    public let likes: [Int]
    /// The removed units: each a non-empty ascending list of positions in
    /// `likes`, removed together.
    public let groups: [[Int]]
    /// The explained movies.
    public let movies: [Int]
    /// Each explained movie's score on the full graph.
    public let scores: [Float]
    /// movies.count x groups.count: deltas[i, g] = scores[i] - score of movies[i] without group g's likes.
    public let deltas: Matrix

    /// Every like as a group of its own.
    public static func singles(_ count: Int) -> [[Int]] { (0..<count).map { [$0] } }

    /// Measures each group of `user`'s likes in `graph` (default: every like
    /// alone) against `movies` under `recommender`: by its exact shortcut
    /// (`LeaveOutShortcut`) when it has one for this case, else by its forward
    /// pass per group; nil for a model whose user vectors are fixed at
    /// training (no edit can move its scores).
    public static func measure(_ recommender: any Recommender, user: Int, movies: [Int],
                               graph: InteractionGraph, groups: [[Int]]? = nil) throws -> LikeContributions? {
        try check(user: user, movies: movies, graph: graph)
        let likes = graph.movies(ofUser: user).map(Int.init)
        let groups = try checked(groups ?? singles(likes.count), likes: likes.count)
        if let shortcut = recommender as? any LeaveOutShortcut,
           let fast = shortcut.leaveOut(user: user, likes: likes, groups: groups, movies: movies, graph: graph) {
            return LikeContributions(user: user, likes: likes, groups: groups, movies: movies, scores: fast.scores, deltas: fast.deltas)
        }
        guard let forward = forwardPass(recommender, user: user) else { return nil }
        return try measure(user: user, movies: movies, graph: graph, groups: groups, scorer: forward)
    }

    /// `groups` with each group's positions sorted and unique; throws on an
    /// empty group or a position outside the likes.
    static func checked(_ groups: [[Int]], likes: Int) throws -> [[Int]] {
        try groups.map { group in
            guard !group.isEmpty else { throw RecError("explain: an empty group of likes") }
            if let bad = group.first(where: { $0 < 0 || $0 >= likes }) {
                throw RecError("explain: like position \(bad) is outside the user's \(likes) likes")
            }
            return Array(Set(group)).sorted()
        }
    }

    /// The contributions of the groups at `range` only (one measurement of
    /// several groupings, the model's forward pass run once, split apart).
    public func restricted(to range: Range<Int>) -> LikeContributions {
        LikeContributions(user: user, likes: likes, groups: Array(groups[range]), movies: movies, scores: scores,
                          deltas: deltas.columns(range))
    }

    static func check(user: Int, movies: [Int], graph: InteractionGraph) throws {
        guard user >= 0 && user < graph.userCount else {
            throw RecError("explain: user index \(user) is outside the graph (\(graph.userCount) users)")
        }
        if let bad = movies.first(where: { $0 < 0 || $0 >= graph.movieCount }) {
            throw RecError("explain: movie index \(bad) is outside the graph (\(graph.movieCount) movies)")
        }
    }

    /// Measures each group of `user`'s likes (default: every like alone)
    /// against `movies` by the forward pass per group: the reference the
    /// shortcuts are tested against. `scorer` is the model's forward pass on
    /// a graph (for fold-in models, with the user refitted); it is called
    /// once per group and once on `graph`.
    public static func measure(user: Int, movies: [Int], graph: InteractionGraph, groups: [[Int]]? = nil,
                               workers: Int = Parallel.defaultWorkers,
                               scorer: @escaping @Sendable (InteractionGraph) -> any Scorer) throws -> LikeContributions {
        try check(user: user, movies: movies, graph: graph)
        let likes = graph.movies(ofUser: user).map(Int.init)
        let groups = try checked(groups ?? singles(likes.count), likes: likes.count)
        // The user's edges are contiguous in the (user, movie)-sorted edge list.
        let first = graph.edges.partitioningIndex { Int($0.user) >= user }
        let base = scorer(graph).scores(user: user)
        let scores = movies.map { base[$0] }
        var deltas = Matrix(rows: movies.count, cols: groups.count)
        let n = groups.count, cols = groups.count
        let count = min(max(1, workers), max(1, n))
        if n > 0 && !movies.isEmpty {
            deltas.storage.withUnsafeMutableBufferPointer { out in
                let shared = SharedBuffer(out)
                Parallel.run(workers: count) { w in
                    var g = w
                    while g < n {
                        let edited = graph.removing(edgesAt: groups[g].map { first + $0 })
                        let row = scorer(edited).scores(user: user)
                        for (i, m) in movies.enumerated() { shared[i * cols + g] = scores[i] - row[m] }
                        g += count
                    }
                }
            }
        }
        return LikeContributions(user: user, likes: likes, groups: groups, movies: movies, scores: scores, deltas: deltas)
    }

    /// The forward pass `measure` needs: an inductive model's scorer on the
    /// graph, a fold-in model's with `user` refitted; nil for a model whose
    /// user vectors are fixed at training (no edit can move its scores).
    public static func forwardPass(_ recommender: any Recommender, user: Int)
        -> (@Sendable (InteractionGraph) -> any Scorer)? {
        if recommender.isInductive { return { recommender.scorer($0) } }
        if let foldIn = recommender as? any FoldingInRecommender { return { foldIn.scorer($0, refitting: [user]) } }
        return nil
    }

    /// The groups behind `movies[position]`, strongest first, at most `count`.
    /// With `rival` (a position in `movies`), ranked by `lead`: how much each
    /// group holds up the movie's lead over that movie, delta minus the
    /// rival's delta, so a group that lifts every movie alike counts 0;
    /// without, by the plain delta. Ties by group index.
    public func top(_ position: Int, count: Int, over rival: Int? = nil) -> [(group: Int, delta: Float, lead: Float)] {
        guard position >= 0 && position < movies.count else { return [] }
        let row = deltas.row(position)
        let base = rival.flatMap { $0 >= 0 && $0 < movies.count ? deltas.row($0) : nil } ?? [Float](repeating: 0, count: groups.count)
        let lead = groups.indices.map { row[$0] - base[$0] }
        let order = groups.indices.sorted { a, b in lead[a] > lead[b] || (lead[a] == lead[b] && a < b) }
        return order.prefix(max(0, count)).map { ($0, row[$0], lead[$0]) }
    }
}

extension Array {
    /// The first index whose element satisfies `belongs`, for an array
    /// partitioned so that every such element follows every other.
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if belongs(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
