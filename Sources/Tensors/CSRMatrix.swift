/// A sparse matrix in compressed sparse row form.
///
/// Graph aggregation in recsh is a sparse-dense product: mean aggregation is
/// a CSR whose row v holds 1/deg(v) at each neighbour of v. Column indices
/// are `Int32` to halve the memory traffic of the hot loops; within a row
/// they are sorted ascending.
public struct CSRMatrix: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    /// Row r's entries are `rowStart[r]..<rowStart[r + 1]`; `rowStart.count == rows + 1`.
    public var rowStart: [Int]
    public var colIndex: [Int32]
    public var values: [Float]

    public init(rows: Int, cols: Int, rowStart: [Int], colIndex: [Int32], values: [Float]) {
        precondition(rowStart.count == rows + 1 && colIndex.count == values.count && rowStart.last == values.count,
                     "Inconsistent CSR arrays")
        self.rows = rows
        self.cols = cols
        self.rowStart = rowStart
        self.colIndex = colIndex
        self.values = values
    }

    /// Builds a CSR from (row, col, value) triplets; duplicates are summed.
    public init(rows: Int, cols: Int, triplets: [(row: Int, col: Int, value: Float)]) {
        var counts = [Int](repeating: 0, count: rows + 1)
        for t in triplets {
            precondition(t.row >= 0 && t.row < rows && t.col >= 0 && t.col < cols, "CSR triplet out of range")
            counts[t.row + 1] += 1
        }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        var next = counts
        var cols32 = [Int32](repeating: 0, count: triplets.count)
        var vals = [Float](repeating: 0, count: triplets.count)
        for t in triplets {
            let p = next[t.row]
            cols32[p] = Int32(t.col)
            vals[p] = t.value
            next[t.row] += 1
        }
        // Sort each row by column and merge duplicates.
        var outStart = [Int](repeating: 0, count: rows + 1)
        var outCols: [Int32] = []
        var outVals: [Float] = []
        outCols.reserveCapacity(triplets.count)
        outVals.reserveCapacity(triplets.count)
        for r in 0..<rows {
            let range = counts[r]..<counts[r + 1]
            // Triplets given in (row, col) order (graph adjacencies) need no sort.
            let ordered = range.dropFirst().allSatisfy { cols32[$0 - 1] < cols32[$0] }
            if ordered {
                outCols.append(contentsOf: cols32[range])
                outVals.append(contentsOf: vals[range])
                outStart[r + 1] = outCols.count
                continue
            }
            let sorted = range.sorted { cols32[$0] < cols32[$1] }
            for p in sorted {
                if let last = outCols.last, outCols.count > outStart[r], last == cols32[p] {
                    outVals[outVals.count - 1] += vals[p]
                } else {
                    outCols.append(cols32[p])
                    outVals.append(vals[p])
                }
            }
            outStart[r + 1] = outCols.count
        }
        self.init(rows: rows, cols: cols, rowStart: outStart, colIndex: outCols, values: outVals)
    }

    public var nonZeroCount: Int { values.count }

    /// Number of stored entries in row r.
    public func rowCount(_ r: Int) -> Int { rowStart[r + 1] - rowStart[r] }

    /// Column indices of row r.
    public func columns(ofRow r: Int) -> ArraySlice<Int32> { colIndex[rowStart[r]..<rowStart[r + 1]] }

    /// The transpose, as a CSR of shape cols x rows.
    public func transposed() -> CSRMatrix {
        var counts = [Int](repeating: 0, count: cols + 1)
        for c in colIndex { counts[Int(c) + 1] += 1 }
        for c in 0..<cols { counts[c + 1] += counts[c] }
        var next = counts
        var tCols = [Int32](repeating: 0, count: values.count)
        var tVals = [Float](repeating: 0, count: values.count)
        for r in 0..<rows {
            for p in rowStart[r]..<rowStart[r + 1] {
                let c = Int(colIndex[p])
                let q = next[c]
                tCols[q] = Int32(r)
                tVals[q] = values[p]
                next[c] += 1
            }
        }
        return CSRMatrix(rows: cols, cols: rows, rowStart: counts, colIndex: tCols, values: tVals)
    }

    /// Dense copy (tests and tiny graphs only).
    public func dense() -> Matrix {
        var m = Matrix(rows: rows, cols: cols)
        for r in 0..<rows {
            for p in rowStart[r]..<rowStart[r + 1] { m[r, Int(colIndex[p])] += values[p] }
        }
        return m
    }

    /// self * x: a sparse-dense product (see `times(_:)`, which this calls).
    public func multiply(_ x: Matrix) -> Matrix { times(x) }
}
