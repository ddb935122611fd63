import Tensors

/// How much each of a user's liked movies holds up the scores of some
/// movies, measured counterfactually: the like is removed from the graph,
/// the model's forward pass runs again, and the score change is the like's
/// contribution,
///
///     delta(l, m) = score(u, m | G) - score(u, m | G without edge (u, l))
///
/// Exact for every model, since it is the model's own forward pass on the
/// edited graph (no gradient, no linearisation), the same question `whatif
/// ... drops l` answers. Positive: the like pulls m up; negative: it holds m
/// down. Unlike the cosine of two movie vectors, which is near 1 for most
/// pairs of a trained GNN, the deltas differ by orders of magnitude between
/// likes, so the top few say which likes made the recommendation.
///
/// The leave-one-out graphs are independent: they are spread over worker
/// threads, each built from the user's contiguous edge offsets (no hashing),
/// and only this user's scores are computed on each.
public struct LikeContributions: Sendable {
    /// The explained user.
    public let user: Int
    /// The user's liked movies (their edges in the graph), ascending.
    public let likes: [Int]
    /// The explained movies.
    public let movies: [Int]
    /// Each explained movie's score on the full graph.
    public let scores: [Float]
    /// movies.count x likes.count: deltas[i, l] = scores[i] - score of movies[i] without likes[l].
    public let deltas: Matrix

    /// Measures every like of `user` in `graph` against `movies` under
    /// `recommender`: by its exact shortcut (`LeaveOneOutShortcut`) when it has
    /// one for this case, else by its forward pass per like; nil for a model
    /// whose user vectors are fixed at training (no edit can move its scores).
    public static func measure(_ recommender: any Recommender, user: Int, movies: [Int],
                               graph: InteractionGraph) throws -> LikeContributions? {
        try check(user: user, movies: movies, graph: graph)
        let likes = graph.movies(ofUser: user).map(Int.init)
        if let shortcut = recommender as? any LeaveOneOutShortcut,
           let fast = shortcut.leaveOneOut(user: user, likes: likes, movies: movies, graph: graph) {
            return LikeContributions(user: user, likes: likes, movies: movies, scores: fast.scores, deltas: fast.deltas)
        }
        guard let forward = forwardPass(recommender, user: user) else { return nil }
        return try measure(user: user, movies: movies, graph: graph, scorer: forward)
    }

    static func check(user: Int, movies: [Int], graph: InteractionGraph) throws {
        guard user >= 0 && user < graph.userCount else {
            throw RecError("explain: user index \(user) is outside the graph (\(graph.userCount) users)")
        }
        if let bad = movies.first(where: { $0 < 0 || $0 >= graph.movieCount }) {
            throw RecError("explain: movie index \(bad) is outside the graph (\(graph.movieCount) movies)")
        }
    }

    /// Measures every like of `user` in `graph` against `movies` by the
    /// forward pass per like: the reference the shortcuts are tested against.
    /// `scorer` is the model's forward pass on a graph (for fold-in models,
    /// with the user refitted); it is called once per like and once on `graph`.
    public static func measure(user: Int, movies: [Int], graph: InteractionGraph,
                               workers: Int = Parallel.defaultWorkers,
                               scorer: @escaping @Sendable (InteractionGraph) -> any Scorer) throws -> LikeContributions {
        try check(user: user, movies: movies, graph: graph)
        let likes = graph.movies(ofUser: user).map(Int.init)
        // The user's edges are contiguous in the (user, movie)-sorted edge list.
        let first = graph.edges.partitioningIndex { Int($0.user) >= user }
        let base = scorer(graph).scores(user: user)
        let scores = movies.map { base[$0] }
        var deltas = Matrix(rows: movies.count, cols: likes.count)
        let n = likes.count, cols = likes.count
        let count = min(max(1, workers), max(1, n))
        if n > 0 && !movies.isEmpty {
            deltas.storage.withUnsafeMutableBufferPointer { out in
                let shared = SharedBuffer(out)
                Parallel.run(workers: count) { w in
                    var l = w
                    while l < n {
                        let edited = graph.removing(edgesAt: CollectionOfOne(first + l))
                        let row = scorer(edited).scores(user: user)
                        for (i, m) in movies.enumerated() { shared[i * cols + l] = scores[i] - row[m] }
                        l += count
                    }
                }
            }
        }
        return LikeContributions(user: user, likes: likes, movies: movies, scores: scores, deltas: deltas)
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

    /// The likes behind `movies[position]`, strongest first, at most `count`.
    /// With `rival` (a position in `movies`), ranked by `lead`: how much each
    /// like holds up the movie's lead over that movie, delta minus the rival's
    /// delta, so a like that lifts every movie alike counts 0; without, by the
    /// plain delta. Ties by movie index.
    public func top(_ position: Int, count: Int, over rival: Int? = nil) -> [(movie: Int, delta: Float, lead: Float)] {
        guard position >= 0 && position < movies.count else { return [] }
        let row = deltas.row(position)
        let base = rival.flatMap { $0 >= 0 && $0 < movies.count ? deltas.row($0) : nil } ?? [Float](repeating: 0, count: likes.count)
        let lead = likes.indices.map { row[$0] - base[$0] }
        let order = likes.indices.sorted { a, b in lead[a] > lead[b] || (lead[a] == lead[b] && likes[a] < likes[b]) }
        return order.prefix(max(0, count)).map { (likes[$0], row[$0], lead[$0]) }
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
