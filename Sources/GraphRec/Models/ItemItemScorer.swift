import Foundation
import Tensors

/// How an item-item model (ItemKNN, EASE) ranks movies: a user's score for
/// movie m is the sum, over the movies j the user likes, of the weight j
/// gives m:
///
///     score(u, m) = sum_{j in likes(u)} W[j, m]
///
/// computed from each user's sparse likes, so a block of users costs
/// (their likes) x (a weight row), never users x movies x movies. `likes` is
/// the graph's own incidence matrix (shared, not copied). W is dense for
/// EASE (every pair has a weight) and sparse for ItemKNN (its kept
/// neighbours), where a row costs only its stored entries.
public struct ItemItemScorer: Scorer {
    /// movies x movies weights, row j: what liking movie j adds to every movie.
    public enum Weights: Sendable, Equatable {
        case dense(Matrix)
        case sparse(CSRMatrix)

        var movieCount: Int {
            switch self {
            case .dense(let m): m.rows
            case .sparse(let s): s.rows
            }
        }
    }

    /// users x movies, 1 at each liked movie.
    public let likes: CSRMatrix
    public let weights: Weights
    /// The rows `similar` and `recommend why` compare by cosine, and what they are.
    let vectorRows: Weights
    let vectorSource: String

    public init(likes: CSRMatrix, weights: Weights, vectorRows: Weights, vectorSource: String) {
        precondition(likes.cols == weights.movieCount && weights.movieCount == vectorRows.movieCount,
                     "item-item scorer: likes cover \(likes.cols) movies, weights \(weights.movieCount)")
        self.likes = likes
        self.weights = weights
        self.vectorRows = vectorRows
        self.vectorSource = vectorSource
    }

    public var userCount: Int { likes.rows }
    public var itemCount: Int { likes.cols }

    public func scores(users: ArraySlice<Int>, into out: inout Matrix) {
        let n = itemCount
        if out.rows != users.count || out.cols != n { out = Matrix(rows: users.count, cols: n) }
        switch weights {
        case .dense(let w):
            // The block's likes as a small CSR times the dense weights: the shared sparse-dense kernel.
            var rowStart = [0], columns: [Int32] = []
            for u in users {
                columns.append(contentsOf: likes.columns(ofRow: u))
                rowStart.append(columns.count)
            }
            let block = CSRMatrix(rows: users.count, cols: n, rowStart: rowStart, colIndex: columns,
                                  values: [Float](repeating: 1, count: columns.count))
            out = block.times(w)
        case .sparse(let w):
            out.storage.withUnsafeMutableBufferPointer { o in
                w.rowStart.withUnsafeBufferPointer { ws in
                w.colIndex.withUnsafeBufferPointer { wc in
                w.values.withUnsafeBufferPointer { wv in
                likes.rowStart.withUnsafeBufferPointer { ls in
                likes.colIndex.withUnsafeBufferPointer { lc in
                    for (r, u) in users.enumerated() {
                        let row = o.baseAddress! + r &* n
                        row.update(repeating: 0, count: n)
                        for p in ls[u]..<ls[u &+ 1] {
                            let j = Int(lc[p])
                            for q in ws[j]..<ws[j &+ 1] { row[Int(wc[q])] += wv[q] }
                        }
                    }
                }}}}}
            }
        }
    }

    /// Bytes a dense copy of the vector rows takes (what `movieVectors` allocates for a sparse model).
    public var movieVectorBytes: Double {
        switch vectorRows {
        case .dense: 0
        case .sparse(let s): Double(s.rows) * Double(s.cols) * 4
        }
    }

    public var movieVectors: (vectors: Matrix, source: String) {
        switch vectorRows {
        case .dense(let m): (m, vectorSource)
        case .sparse(let s): (s.dense(), vectorSource)
        }
    }
}

extension Baselines {
    /// Calls `body(m, counts)` for each movie m in `movies` with row m of
    /// X^T X (how many users like both m and j, at index j) in a scratch row
    /// of `movieCount` floats that `body` may change. Built from the sparse
    /// likes: each user of m adds 1 at each of their movies, so the cost is
    /// the sum of the users' squared degrees, never users x movies. Runs on
    /// two threads (each with its own scratch row), balanced on that cost.
    static func cooccurrenceRows(_ graph: InteractionGraph, control: RunControl, label: String,
                                 _ body: @Sendable (Int, UnsafeMutablePointer<Float>) -> Void) throws {
        let n = graph.movieCount
        let userRows = graph.userItems, movieRows = graph.itemUsers
        // Work before movie m: the degrees of its users, summed (balances the two halves).
        var work = [Int](repeating: 0, count: n + 1)
        for m in 0..<n {
            var w = 0
            for u in movieRows.columns(ofRow: m) { w &+= userRows.rowCount(Int(u)) }
            work[m + 1] = work[m] &+ w
        }
        let progress = ProgressCounter()
        parallelHalves(n, balancing: work) { movies in
            var scratch = [Float](repeating: 0, count: n)
            scratch.withUnsafeMutableBufferPointer { s in
            userRows.rowStart.withUnsafeBufferPointer { us in
            userRows.colIndex.withUnsafeBufferPointer { uc in
            movieRows.rowStart.withUnsafeBufferPointer { ms in
            movieRows.colIndex.withUnsafeBufferPointer { mc in
                let row = s.baseAddress!
                for m in movies {
                    if control.shouldStop() { return }
                    for p in ms[m]..<ms[m &+ 1] {
                        let u = Int(mc[p])
                        for q in us[u]..<us[u &+ 1] { row[Int(uc[q])] += 1 }
                    }
                    body(m, row)
                    row.update(repeating: 0, count: n)
                    let done = progress.add(1)
                    if done % 256 == 0 { control.report(ProgressUpdate(label: label, done: done, total: n, detail: "co-occurrence")) }
                }
            }}}}}
        }
        if control.shouldStop() { throw RecError("\(label): interrupted; nothing kept") }
    }
}

/// A counter several threads add to (progress of a parallel loop).
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add(_ k: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += k
        return value
    }
}
