import Tensors

/// A model that computes the leave-one-out deltas of `LikeContributions`
/// exactly without running its forward pass once per like: it recomputes only
/// what removing one like (u, j) changes, for all of the user's likes at once.
///
/// - EASE, ItemKNN: the score is a sum over likes, so the delta of like j for
///   movie m is the weight W[j, m] itself.
/// - GCN, GAT (1 or 2 layers): removing (u, j) changes only the aggregations
///   of u and j; a movie m the user does not like reaches neither through
///   edges that changed, so z_m is unchanged and the delta is
///   (z_u - z_u without j) . z_m, with z_u without j rebuilt from u's liked
///   movies' states on the full graph (see GCN+LeaveOneOut, GAT+LeaveOneOut).
///
/// - ALS: the user step is a k x k solve; without like j its system loses one
///   rank-one term, so each like costs one small solve, not a refit of every user.
///
/// Other cases (deeper GNNs, a liked movie among the explained ones, a user
/// with one like) return nil and `LikeContributions` runs the forward pass
/// per like, as it does for PureSVD, MF and NCF (still exact, slower).
/// LightGCN has no such shortcut: its symmetric normalisation 1/sqrt(d_u d_m)
/// puts the degrees of u and j into every two-hop path, so removing one like
/// moves every movie that shares a user with j.
public protocol LeaveOneOutShortcut: Recommender {
    /// Each of `movies`' scores for `user` on `graph`, and the movies x likes
    /// deltas score - score without that like; nil when no exact shortcut applies.
    func leaveOneOut(user: Int, likes: [Int], movies: [Int], graph: InteractionGraph) -> (scores: [Float], deltas: Matrix)?
}

enum LeaveOneOut {
    /// Row j: the mean of every row of `x` but row j, (sum - x_j) / (n - 1). Needs n >= 2.
    static func meansWithoutEachRow(_ x: Matrix) -> Matrix {
        let n = x.rows, d = x.cols
        let sums = x.columnSums().storage
        let scale = 1 / Float(n - 1)
        var out = Matrix(rows: n, cols: d)
        for j in 0..<n { for c in 0..<d { out[j, c] = (sums[c] - x[j, c]) * scale } }
        return out
    }

    /// `x` with `row` (length x.cols) added to every row.
    static func addingRow(_ x: Matrix, _ row: [Float]) -> Matrix {
        var out = x
        for r in 0..<x.rows { for c in 0..<x.cols { out[r, c] += row[c] } }
        return out
    }

    /// movies x n: (z_u - without_j) . z_m for every like j (rows of
    /// `without`) and movie m (rows of `items`), one GEMM.
    static func deltas(items: Matrix, user: [Float], without: Matrix) -> Matrix {
        var change = without
        for r in 0..<change.rows { for c in 0..<change.cols { change[r, c] = user[c] - without[r, c] } }
        return BLAS.matmul(items, change, transposeB: true)
    }

    /// The scores z_u . z_m (+ b_m) (+ x_u . w_m) of `movies`; `wide` is the
    /// user's row of the feature bias's inputs (`FeatureBias.wideFeatures`).
    static func scores(items: Matrix, user: [Float], itemBias: Matrix?, movies: [Int],
                       featureBias: Matrix? = nil, wide: [Float]? = nil) -> [Float] {
        movies.indices.map { i in
            var s: Float = 0
            for c in 0..<user.count { s += user[c] * items[i, c] }
            if let w = featureBias, let x = wide, x.count == w.cols {
                for c in 0..<x.count { s += x[c] * w[movies[i], c] }
            }
            return s + (itemBias?[movies[i], 0] ?? 0)
        }
    }

    /// True when the shortcut of a graph model applies: at least two likes
    /// (with one, u loses every edge and its ID row is masked) and no liked
    /// movie among the explained ones (its state moves with u's).
    static func graphShortcutApplies(likes: [Int], movies: [Int]) -> Bool {
        guard likes.count >= 2 else { return false }
        let liked = Set(likes)
        return !movies.contains { liked.contains($0) }
    }
}

extension EASE: LeaveOneOutShortcut {
    public func leaveOneOut(user: Int, likes: [Int], movies: [Int], graph: InteractionGraph) -> (scores: [Float], deltas: Matrix)? {
        var deltas = Matrix(rows: movies.count, cols: likes.count)
        for (i, m) in movies.enumerated() { for (l, j) in likes.enumerated() { deltas[i, l] = weights[j, m] } }
        let all = scorer(graph).scores(user: user)
        return (movies.map { all[$0] }, deltas)
    }
}

extension ItemKNN: LeaveOneOutShortcut {
    public func leaveOneOut(user: Int, likes: [Int], movies: [Int], graph: InteractionGraph) -> (scores: [Float], deltas: Matrix)? {
        guard Set(movies).count == movies.count else { return nil }
        // Row j of `contributions`: what a like of j adds to each movie that keeps j as a neighbour.
        var position = [Int](repeating: -1, count: graph.movieCount)
        for (i, m) in movies.enumerated() { position[m] = i }
        var deltas = Matrix(rows: movies.count, cols: likes.count)
        for (l, j) in likes.enumerated() {
            for p in contributions.rowStart[j]..<contributions.rowStart[j + 1] {
                let i = position[Int(contributions.colIndex[p])]
                if i >= 0 { deltas[i, l] += contributions.values[p] }
            }
        }
        let all = scorer(graph).scores(user: user)
        return (movies.map { all[$0] }, deltas)
    }
}

/// ALS scores a user by one user step on the fixed movie factors Y,
///
///     x_u = (Y^T Y + reg I + alpha sum_{l in L} y_l y_l^T)^-1 (1 + alpha) sum_{l in L} y_l
///
/// so without like j the system loses alpha y_j y_j^T and the right-hand side
/// (1 + alpha) y_j: one k x k solve per like instead of refitting every user,
/// and the movie factors (hence the delta (x_u - x_u(-j)) . y_m) are exact for
/// every movie, liked or not.
extension ALS: LeaveOneOutShortcut {
    public func leaveOneOut(user: Int, likes: [Int], movies: [Int], graph: InteractionGraph) -> (scores: [Float], deltas: Matrix)? {
        guard user < graph.userCount, graph.movieCount == items.rows else { return nil }
        let k = items.cols, n = likes.count
        let mine = items.gatherRows(likes)
        var system = BLAS.matmul(items, transposeA: true, items)          // Y^T Y + reg I + alpha Y_u^T Y_u
        for d in 0..<k { system[d, d] += regularization }
        if n > 0 { BLAS.gemm(mine, transposeA: true, mine, alpha: alpha, beta: 1, into: &system) }
        let sums = n > 0 ? mine.columnSums().storage : [Float](repeating: 0, count: k)
        // The user step without like j (nil: with every like).
        func solve(without j: Int?) -> [Float] {
            var a = system
            var x = (0..<k).map { d in (sums[d] - (j.map { mine[$0, d] } ?? 0)) * (1 + alpha) }
            if let j { for r in 0..<k { for c in 0..<k { a[r, c] -= alpha * mine[j, r] * mine[j, c] } } }
            if n - (j == nil ? 0 : 1) == 0 { return [Float](repeating: 0, count: k) }   // no likes: the step leaves zeros
            let info = a.storage.withUnsafeMutableBufferPointer { p in
                x.withUnsafeMutableBufferPointer { LAPACK.solvePositiveDefinite(order: k, rightHandSides: 1, a: p.baseAddress!, b: $0.baseAddress!) }
            }
            return info == 0 ? x : [Float](repeating: 0, count: k)
        }
        let xu = solve(without: nil)
        var without = Matrix(rows: n, cols: k)
        for j in 0..<n { let x = solve(without: j); for d in 0..<k { without[j, d] = x[d] } }
        let rows = items.gatherRows(movies)
        return (LeaveOneOut.scores(items: rows, user: xu, itemBias: nil, movies: movies),
                LeaveOneOut.deltas(items: rows, user: xu, without: without))
    }
}
