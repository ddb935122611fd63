import Tensors

/// What ranks movies: the scores of a block of users against every movie.
///
/// The evaluator, `recommend`, exported recommendations and what-if
/// questions rank through this seam. A dot-product model's `Embeddings` is
/// its scorer (one GEMM per block); NeuMF's MLP tower is not a dot product,
/// so `NCFScorer` runs its towers over the (user, movie) pairs of the block.
/// Scorers are values and thread-safe: the evaluator calls one from several
/// workers at once.
public protocol Scorer: Sendable {
    var userCount: Int { get }
    var itemCount: Int { get }
    /// Writes the scores of `users` (row r = users[r]) against every movie
    /// into `out`, reshaped to users.count x itemCount when it is not.
    func scores(users: ArraySlice<Int>, into out: inout Matrix)
    /// Movie vectors whose cosine says which movies the model finds alike
    /// (`similar`, `recommend why`), and what they are.
    var movieVectors: (vectors: Matrix, source: String) { get }
}

extension Scorer {
    /// The scores of `users` against every movie, users.count x itemCount.
    public func scores(users: ArraySlice<Int>) -> Matrix {
        var out = Matrix(rows: 0, cols: 0)
        scores(users: users, into: &out)
        return out
    }

    /// One user's scores against every movie.
    public func scores(user: Int) -> [Float] { scores(users: [user][...]).storage }
}

extension Embeddings: Scorer {
    public var userCount: Int { users.rows }
    public var itemCount: Int { items.rows }

    /// The users' rows times every movie's row: one GEMM.
    public func scores(users rows: ArraySlice<Int>, into out: inout Matrix) {
        var queries = Matrix(rows: 0, cols: 0)
        scores(users: rows, into: &out, queries: &queries)
    }

    /// The same with the gathered user rows in a caller's scratch matrix
    /// (the evaluator's workers keep one each).
    func scores(users rows: ArraySlice<Int>, into out: inout Matrix, queries: inout Matrix) {
        let d = dimension
        if queries.rows != rows.count || queries.cols != d { queries = Matrix(rows: rows.count, cols: d) }
        users.storage.withUnsafeBufferPointer { src in
            queries.storage.withUnsafeMutableBufferPointer { dst in
                for (r, u) in rows.enumerated() {
                    (dst.baseAddress! + r * d).update(from: src.baseAddress! + u * d, count: d)
                }
            }
        }
        if out.rows != rows.count || out.cols != items.rows { out = Matrix(rows: rows.count, cols: items.rows) }
        BLAS.gemm(queries, items, transposeB: true, into: &out)
    }

    public var movieVectors: (vectors: Matrix, source: String) { (items, "movie embeddings") }
}

/// A model with fixed per-user vectors that can fit a user's vectors from
/// their edges (fold-in), everything else frozen: how a non-inductive model
/// answers for new users and edited ones.
public protocol FoldingInRecommender: Recommender {
    /// The scorer on `graph`, with the vectors of `users` (and of users the
    /// model was not trained on) fitted from their edges in `graph`.
    func scorer(_ graph: InteractionGraph, refitting users: Set<Int>) -> any Scorer
    /// How a fold-in works, for the notes of the commands that use it.
    var foldInMethod: String { get }
}
