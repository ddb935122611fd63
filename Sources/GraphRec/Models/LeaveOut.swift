import Tensors

/// A model that computes the leave-out deltas of `LikeContributions` exactly
/// without running its forward pass once per removed set of likes: it
/// recomputes only what removing the likes of one group {(u, j) : j in S}
/// changes, for every group at once. A single like is a group of one.
///
/// - EASE, ItemKNN: the score is a sum over likes, so the delta of a group
///   for movie m is the sum of its members' weights W[j, m].
/// - GCN, GAT (1 or 2 layers): removing u's edges to S changes only the
///   aggregations of u and of the movies in S; a movie m the user does not
///   like reaches neither through edges that changed, so z_m is unchanged and
///   the delta is (z_u - z_u without S) . z_m, with z_u without S rebuilt
///   from u's other liked movies' states on the full graph (see GCN+LeaveOut,
///   GAT+LeaveOut).
/// - ALS: the user step is a k x k solve; without S its system loses the
///   rank-one terms of S, so each group costs one small solve, not a refit.
///
/// Other cases (deeper GNNs, a liked movie among the explained ones, a group
/// holding every like) return nil and `LikeContributions` runs the forward
/// pass per group, as it does for PureSVD, MF and NCF (still exact, slower).
/// LightGCN has no such shortcut: its symmetric normalisation 1/sqrt(d_u d_m)
/// puts the degrees of u and j into every two-hop path, so removing one like
/// moves every movie that shares a user with j.
public protocol LeaveOutShortcut: Recommender {
    /// Each of `movies`' scores for `user` on `graph`, and the movies x groups
    /// deltas: score - score without every like of that group (`groups` hold
    /// positions in `likes`, each non-empty and ascending); nil when no exact
    /// shortcut applies.
    func leaveOut(user: Int, likes: [Int], groups: [[Int]], movies: [Int], graph: InteractionGraph) -> (scores: [Float], deltas: Matrix)?
}

enum LeaveOut {
    /// groups x n: row g is 1 at the positions of group g.
    static func membership(_ groups: [[Int]], count n: Int) -> Matrix {
        var m = Matrix(rows: groups.count, cols: n)
        for (g, members) in groups.enumerated() { for l in members { m[g, l] = 1 } }
        return m
    }

    /// Row g: the mean of the rows of `x` outside group g, (sum - sum over g)
    /// / (n - |g|). Every group must leave at least one row.
    static func meansWithout(_ x: Matrix, groups: [[Int]]) -> Matrix {
        let sums = x.columnSums().storage
        var out = BLAS.matmul(membership(groups, count: x.rows), x)
        for (g, members) in groups.enumerated() {
            let scale = 1 / Float(x.rows - members.count)
            for c in 0..<x.cols { out[g, c] = (sums[c] - out[g, c]) * scale }
        }
        return out
    }

    /// movies x groups: each group's deltas, the sum of its members' columns
    /// of `singles` (movies x likes), for a model whose score is a sum over likes.
    static func summing(_ singles: Matrix, groups: [[Int]]) -> Matrix {
        BLAS.matmul(singles, membership(groups, count: singles.cols), transposeB: true)
    }

    /// `x` with `row` (length x.cols) added to every row.
    static func addingRow(_ x: Matrix, _ row: [Float]) -> Matrix {
        var out = x
        for r in 0..<x.rows { for c in 0..<x.cols { out[r, c] += row[c] } }
        return out
    }

    /// movies x groups: (z_u - without_g) . z_m for every group g (rows of
    /// `without`) and movie m (rows of `items`), one GEMM.
    static func deltas(items: Matrix, user: [Float], without: Matrix) -> Matrix {
        var change = without
        for r in 0..<change.rows { for c in 0..<change.cols { change[r, c] = user[c] - without[r, c] } }
        return BLAS.matmul(items, change, transposeB: true)
    }

    /// The explained movies' scores and every group's deltas, from a graph
    /// model's output states and u's output without each group (`without`).
    static func answer(output: Matrix, user u: Int, movies: [Int], graph: InteractionGraph, itemBias: Matrix?,
                       featureBias: Matrix?, without: Matrix) -> (scores: [Float], deltas: Matrix) {
        let zu = output.row(u)
        let items = output.gatherRows(movies.map { graph.userCount + $0 })
        let wide = featureBias == nil ? nil : FeatureBias.wideFeatures(graph)?.row(u)
        return (scores(items: items, user: zu, itemBias: itemBias, movies: movies, featureBias: featureBias, wide: wide),
                deltas(items: items, user: zu, without: without))
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

    /// True when the shortcut of a graph model applies: every group leaves
    /// the user at least one like (without any, u loses every edge and its ID
    /// row is masked) and no liked movie is among the explained ones (its
    /// state moves with u's).
    static func graphShortcutApplies(likes: [Int], groups: [[Int]], movies: [Int]) -> Bool {
        guard groups.allSatisfy({ $0.count < likes.count }) else { return false }
        let liked = Set(likes)
        return !movies.contains { liked.contains($0) }
    }
}

extension EASE: LeaveOutShortcut {
    public func leaveOut(user: Int, likes: [Int], groups: [[Int]], movies: [Int], graph: InteractionGraph) -> (scores: [Float], deltas: Matrix)? {
        var singles = Matrix(rows: movies.count, cols: likes.count)
        for (i, m) in movies.enumerated() { for (l, j) in likes.enumerated() { singles[i, l] = weights[j, m] } }
        let all = scorer(graph).scores(user: user)
        return (movies.map { all[$0] }, LeaveOut.summing(singles, groups: groups))
    }
}

extension ItemKNN: LeaveOutShortcut {
    public func leaveOut(user: Int, likes: [Int], groups: [[Int]], movies: [Int], graph: InteractionGraph) -> (scores: [Float], deltas: Matrix)? {
        guard Set(movies).count == movies.count else { return nil }
        // Row j of `contributions`: what a like of j adds to each movie that keeps j as a neighbour.
        var position = [Int](repeating: -1, count: graph.movieCount)
        for (i, m) in movies.enumerated() { position[m] = i }
        var singles = Matrix(rows: movies.count, cols: likes.count)
        for (l, j) in likes.enumerated() {
            for p in contributions.rowStart[j]..<contributions.rowStart[j + 1] {
                let i = position[Int(contributions.colIndex[p])]
                if i >= 0 { singles[i, l] += contributions.values[p] }
            }
        }
        let all = scorer(graph).scores(user: user)
        return (movies.map { all[$0] }, LeaveOut.summing(singles, groups: groups))
    }
}

/// ALS scores a user by one user step on the fixed movie factors Y,
///
///     x_u = (Y^T Y + reg I + alpha sum_{l in L} y_l y_l^T)^-1 (1 + alpha) sum_{l in L} y_l
///
/// so without a group S the system loses alpha sum_{j in S} y_j y_j^T and the
/// right-hand side (1 + alpha) sum_{j in S} y_j: one k x k solve per group
/// instead of refitting every user, and the movie factors (hence the delta
/// (x_u - x_u(-S)) . y_m) are exact for every movie, liked or not.
extension ALS: LeaveOutShortcut {
    public func leaveOut(user: Int, likes: [Int], groups: [[Int]], movies: [Int], graph: InteractionGraph) -> (scores: [Float], deltas: Matrix)? {
        guard user < graph.userCount, graph.movieCount == items.rows else { return nil }
        let k = items.cols, n = likes.count
        let mine = items.gatherRows(likes)
        var system = BLAS.matmul(items, transposeA: true, items)          // Y^T Y + reg I + alpha Y_u^T Y_u
        for d in 0..<k { system[d, d] += regularization }
        if n > 0 { BLAS.gemm(mine, transposeA: true, mine, alpha: alpha, beta: 1, into: &system) }
        let sums = n > 0 ? mine.columnSums().storage : [Float](repeating: 0, count: k)
        // The user step without the likes at `gone`.
        func solve(without gone: [Int]) -> [Float] {
            if gone.count >= n { return [Float](repeating: 0, count: k) }   // no likes: the step leaves zeros
            var a = system
            var x = sums
            for j in gone {
                for d in 0..<k { x[d] -= mine[j, d] }
                for r in 0..<k { for c in 0..<k { a[r, c] -= alpha * mine[j, r] * mine[j, c] } }
            }
            for d in 0..<k { x[d] *= 1 + alpha }
            let info = a.storage.withUnsafeMutableBufferPointer { p in
                x.withUnsafeMutableBufferPointer { LAPACK.solvePositiveDefinite(order: k, rightHandSides: 1, a: p.baseAddress!, b: $0.baseAddress!) }
            }
            return info == 0 ? x : [Float](repeating: 0, count: k)
        }
        let xu = solve(without: [])
        var without = Matrix(rows: groups.count, cols: k)
        for (g, members) in groups.enumerated() { let x = solve(without: members); for d in 0..<k { without[g, d] = x[d] } }
        let rows = items.gatherRows(movies)
        return (LeaveOut.scores(items: rows, user: xu, itemBias: nil, movies: movies),
                LeaveOut.deltas(items: rows, user: xu, without: without))
    }
}
