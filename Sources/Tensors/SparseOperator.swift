/// A fixed sparse matrix prepared for training: the CSR, its transpose
/// (precomputed once, so backward products run row-parallel like forward
/// ones), and per-entry index arrays for edge-level ops.
///
/// Graph vocabulary, used by the tape's edge ops: row v of the matrix is a
/// *destination* node, the column u of each of its entries a *source*, and
/// a product computes `out_v = sum_{u in N(v)} a_vu x_u`. Entry p (0..<nnz,
/// in CSR order) is the edge u -> v with `source[p] = u`, `destination[p] = v`.
/// Mean aggregation is `SparseOperator.rowNormalized(adjacency)`.
public struct SparseOperator: Sendable {
    public let matrix: CSRMatrix
    public let transpose: CSRMatrix
    /// Entry q of `transpose` is entry `transposeEntry[q]` of `matrix`.
    public let transposeEntry: [Int32]
    /// Column (source node u) of each entry: `matrix.colIndex`.
    public var source: [Int32] { matrix.colIndex }
    /// Row (destination node v) of each entry.
    public let destination: [Int32]

    public init(_ matrix: CSRMatrix) {
        self.matrix = matrix
        let nnz = matrix.nonZeroCount
        var counts = [Int](repeating: 0, count: matrix.cols + 1)
        for c in matrix.colIndex { counts[Int(c) + 1] += 1 }
        for c in 0..<matrix.cols { counts[c + 1] += counts[c] }
        var next = counts
        var tCols = [Int32](repeating: 0, count: nnz)
        var tVals = [Float](repeating: 0, count: nnz)
        var tEntry = [Int32](repeating: 0, count: nnz)
        var dest = [Int32](repeating: 0, count: nnz)
        for r in 0..<matrix.rows {
            for p in matrix.rowStart[r]..<matrix.rowStart[r + 1] {
                let c = Int(matrix.colIndex[p])
                let q = next[c]
                tCols[q] = Int32(r)
                tVals[q] = matrix.values[p]
                tEntry[q] = Int32(p)
                dest[p] = Int32(r)
                next[c] += 1
            }
        }
        self.transpose = CSRMatrix(rows: matrix.cols, cols: matrix.rows, rowStart: counts, colIndex: tCols, values: tVals)
        self.transposeEntry = tEntry
        self.destination = dest
    }

    public var rows: Int { matrix.rows }
    public var cols: Int { matrix.cols }
    public var nonZeroCount: Int { matrix.nonZeroCount }

    /// Each row divided by its entry count: row v averages its neighbours
    /// (mean aggregation). Empty rows stay empty (their mean is zero).
    public static func rowNormalized(_ a: CSRMatrix) -> SparseOperator {
        var vals = [Float](repeating: 0, count: a.nonZeroCount)
        for r in 0..<a.rows {
            let n = a.rowCount(r)
            for p in a.rowStart[r]..<a.rowStart[r + 1] { vals[p] = 1 / Float(n) }
        }
        return SparseOperator(CSRMatrix(rows: a.rows, cols: a.cols, rowStart: a.rowStart, colIndex: a.colIndex, values: vals))
    }

    /// D^-1/2 A D^-1/2 for a square, symmetric pattern (LightGCN's propagation).
    public static func symmetricNormalized(_ a: CSRMatrix) -> SparseOperator {
        precondition(a.rows == a.cols, "symmetric normalisation needs a square matrix")
        let inv = (0..<a.rows).map { a.rowCount($0) > 0 ? 1 / Float(a.rowCount($0)).squareRoot() : 0 }
        var vals = [Float](repeating: 0, count: a.nonZeroCount)
        for r in 0..<a.rows {
            for p in a.rowStart[r]..<a.rowStart[r + 1] { vals[p] = inv[r] * inv[Int(a.colIndex[p])] }
        }
        return SparseOperator(CSRMatrix(rows: a.rows, cols: a.cols, rowStart: a.rowStart, colIndex: a.colIndex, values: vals))
    }

    /// A x.
    public func times(_ x: Matrix) -> Matrix { matrix.times(x) }
    /// Aᵀ x (row-parallel through the stored transpose).
    public func transposeTimes(_ x: Matrix) -> Matrix { transpose.times(x) }

    /// Per-entry values (nnz x heads, CSR order) reordered to the transpose's entry order.
    public func valuesInTransposeOrder(_ v: Matrix) -> Matrix {
        precondition(v.rows == nonZeroCount, "edge values must have nnz rows")
        return v.gatherRows(transposeEntry)
    }
}
