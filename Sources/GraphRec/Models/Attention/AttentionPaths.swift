/// Why a GAT recommends movie m to user u, told through attention: the
/// two-hop paths u -> m1 -> u2 -> m from a movie m1 the user rated, through
/// a user u2 who also rated it, to m.
///
/// Path weight, with ā^(k) the attention of layer k averaged over heads and
/// L the last layer (L >= 2):
///
///     w(u, m1, u2, m) = ā^(L)[u <- m1] * ā^(L-1)[u2 <- m1] * ā^(L)[m <- u2]
///
/// The last two factors are attention rollout: the share of z_m (m's final
/// embedding) that flows from m1 through u2. The first is m1's share of z_u.
/// Their product is large when m1 matters to both ends of the score
/// z_u . z_m. It ignores the W's and nonlinearities, so it explains where
/// attention sent the mass, not the score itself. Self-loops are not hops.
public struct AttentionPath: Sendable, Equatable {
    /// m1, a movie the user rated (movie index).
    public var ratedMovie: Int
    /// u2, a user who rated m1 and m (user index; may be the user itself if they rated m).
    public var viaUser: Int
    /// ā^(L)[u <- m1].
    public var userFromRated: Float
    /// ā^(L-1)[u2 <- m1].
    public var viaFromRated: Float
    /// ā^(L)[m <- u2].
    public var movieFromVia: Float
    /// The product of the three.
    public var weight: Double
}

/// The strongest paths for one (user, movie) pair, and the sum over all of them.
public struct RecommendationExplanation: Sendable, Equatable {
    public var user: Int
    public var movie: Int
    /// The heaviest paths, heaviest first (ties: lower rated movie, then lower via user).
    public var paths: [AttentionPath]
    /// Sum of the weights of every path from the user's rated movies to m.
    public var totalWeight: Double
    public var pathCount: Int
}

extension AttentionInspection {
    /// The `top` heaviest attention paths from user `user`'s rated movies to
    /// `movie` (indices, not ids). Throws for a one-layer model (no two-hop path).
    public static func explain(user: Int, movie: Int, attention: [[AttentionWeights]], top: Int = 5) throws -> RecommendationExplanation {
        guard attention.count >= 2 else {
            throw RecError("recommend why: attention paths need a GAT with at least 2 layers, this one has \(attention.count)")
        }
        let last = AttentionWeights.mean(attention[attention.count - 1])
        let previous = AttentionWeights.mean(attention[attention.count - 2])
        let users = last.userCount
        guard user >= 0 && user < users else { throw RecError("recommend why: user index \(user) outside 0..<\(users)") }
        guard movie >= 0 && users + movie < last.nodeCount else {
            throw RecError("recommend why: movie index \(movie) outside 0..<\(last.nodeCount - users)")
        }
        let m = users + movie
        // ā^(L)[m <- u2] for every u2, dense for O(1) lookups.
        var intoMovie = [Float](repeating: 0, count: last.nodeCount)
        for p in last.rowStart[m]..<last.rowStart[m + 1] where Int(last.source[p]) != m {
            intoMovie[Int(last.source[p])] = last.weight[p]
        }
        var paths: [AttentionPath] = []
        var total = 0.0
        for p in last.rowStart[user]..<last.rowStart[user + 1] {
            let m1 = Int(last.source[p])
            if m1 == user { continue }
            let userFromRated = last.weight[p]
            // m1's row in layer L-1 lists the users it sends to (the graph is symmetric).
            for q in previous.rowStart[m1]..<previous.rowStart[m1 + 1] {
                let u2 = Int(previous.source[q])
                if u2 == m1 || intoMovie[u2] == 0 { continue }
                let viaFromRated = previous.weight(from: m1, to: u2)
                let w = Double(userFromRated) * Double(viaFromRated) * Double(intoMovie[u2])
                total += w
                paths.append(AttentionPath(ratedMovie: m1 - users, viaUser: u2, userFromRated: userFromRated,
                                           viaFromRated: viaFromRated, movieFromVia: intoMovie[u2], weight: w))
            }
        }
        let count = paths.count
        paths.sort {
            $0.weight != $1.weight ? $0.weight > $1.weight
                : ($0.ratedMovie, $0.viaUser) < ($1.ratedMovie, $1.viaUser)
        }
        return RecommendationExplanation(user: user, movie: movie, paths: Array(paths.prefix(max(top, 0))),
                                         totalWeight: total, pathCount: count)
    }
}
