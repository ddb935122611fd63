import Tensors

/// LightGCN-style L2 regularisation of the ID embeddings a mini-batch
/// touches (`reg=λ`), instead of weight decay on every row every step:
///
///     R = λ/(2B) · Σ_k ( |e_u_k|² + |e_i_k|² + (1/n) Σ_j |e_j_kj|² )
///
/// over the batch's B positives (u_k, i_k) and their n negatives j. Rows the
/// batch never names are left alone, so rarely seen movies are not shrunk
/// towards zero on every step. The tables are "ids.users" and "ids.movies"
/// (GCN/GAT with `ids=on`, LightGCN, MF). The gradient is closed-form, so the
/// trainer adds it to the loss gradients outside the tape.
public enum EmbeddingRegularizer {
    /// The parameter names R acts on.
    public static let userTable = "ids.users", movieTable = "ids.movies"

    /// R and its gradient with respect to both tables (dense, zero on rows the
    /// batch does not name). `users[k]`, `positives[k]` for k < B; `negatives`
    /// holds B x n movie indices.
    public static func penalty(users userTable: Matrix, movies movieTable: Matrix, lambda: Float,
                               batchUsers: [Int32], positives: [Int32], negatives: [Int32])
        -> (value: Double, users: Matrix, movies: Matrix) {
        let b = batchUsers.count
        precondition(b > 0 && positives.count == b && negatives.count % b == 0, "regularizer: batch shapes")
        let n = negatives.count / b
        var gu = Matrix(rows: userTable.rows, cols: userTable.cols)
        var gm = Matrix(rows: movieTable.rows, cols: movieTable.cols)
        // d/de (w/2 |e|²) = w e, with w = λ/B for users and positives, λ/(nB) for negatives.
        let w = lambda / Float(b), wn = lambda / Float(b * n)
        var sum = 0.0
        func add(_ table: Matrix, _ grad: inout Matrix, _ rows: [Int32], _ weight: Float) {
            let d = table.cols
            table.storage.withUnsafeBufferPointer { t in
                grad.storage.withUnsafeMutableBufferPointer { g in
                    var s: Float = 0
                    for r in rows {
                        let base = Int(r) &* d
                        for c in 0..<d {
                            let x = t[base &+ c]
                            s += x * x
                            g[base &+ c] += weight * x
                        }
                    }
                    sum += Double(weight) * Double(s) / 2
                }
            }
        }
        add(userTable, &gu, batchUsers, w)
        add(movieTable, &gm, positives, w)
        add(movieTable, &gm, negatives, wn)
        return (sum, gu, gm)
    }

    /// Adds R's gradient to `gradients` for a model's ID tables; returns R.
    /// A model without ID tables gets nothing (the trainer rejects `reg=` for it first).
    static func apply(_ parameters: [String: Matrix], lambda: Float, batch: PairBatch,
                      to gradients: inout [String: Matrix]) -> Double {
        guard let u = parameters[userTable], let m = parameters[movieTable] else { return 0 }
        let r = penalty(users: u, movies: m, lambda: lambda, batchUsers: batch.users, positives: batch.positives,
                        negatives: batch.negatives)
        gradients[userTable] = gradients[userTable].map { $0 + r.users } ?? r.users
        gradients[movieTable] = gradients[movieTable].map { $0 + r.movies } ?? r.movies
        return r.value
    }
}
