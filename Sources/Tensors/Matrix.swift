import Foundation

/// A dense, row-major matrix of `Float` with value semantics.
///
/// Everything numeric in recsh (features, weights, embeddings, gradients)
/// is a `Matrix`; a vector is a matrix with one row or one column. Storage
/// is a plain `[Float]`, so copies are copy-on-write and a matrix can be
/// handed to BLAS without conversion. Hot loops should take the buffer once
/// with `withUnsafeBufferPointer` rather than index element by element.
public struct Matrix: Equatable, Sendable {
    public private(set) var rows: Int
    public private(set) var cols: Int
    /// Row-major elements: element (r, c) is `storage[r * cols + c]`.
    public var storage: [Float]

    /// A `rows` x `cols` matrix filled with `value`.
    public init(rows: Int, cols: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && cols >= 0, "Matrix dimensions must be non-negative")
        self.rows = rows
        self.cols = cols
        self.storage = [Float](repeating: value, count: rows * cols)
    }

    /// A matrix whose elements the caller overwrites before reading (outputs
    /// of BLAS products with beta = 0): skips the zero fill.
    @usableFromInline
    init(uninitializedRows rows: Int, cols: Int) {
        self.rows = rows
        self.cols = cols
        self.storage = [Float](unsafeUninitializedCapacity: rows * cols) { _, count in count = rows * cols }
    }

    /// Wraps existing row-major storage; its count must be `rows * cols`.
    public init(rows: Int, cols: Int, storage: [Float]) {
        precondition(storage.count == rows * cols, "Matrix storage has \(storage.count) elements, expected \(rows * cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// Builds a matrix from nested rows (tests and small fixtures).
    public init(_ nested: [[Float]]) {
        let cols = nested.first?.count ?? 0
        precondition(nested.allSatisfy { $0.count == cols }, "Ragged rows")
        self.init(rows: nested.count, cols: cols, storage: nested.flatMap { $0 })
    }

    public var count: Int { storage.count }
    public var shape: (rows: Int, cols: Int) { (rows, cols) }

    @inlinable
    public subscript(row: Int, col: Int) -> Float {
        get { storage[row * cols + col] }
        set { storage[row * cols + col] = newValue }
    }

    /// A copy of one row.
    public func row(_ r: Int) -> [Float] {
        Array(storage[(r * cols)..<((r + 1) * cols)])
    }

    /// Reinterprets the same elements with another shape of equal size.
    public func reshaped(rows: Int, cols: Int) -> Matrix {
        Matrix(rows: rows, cols: cols, storage: storage)
    }

    /// The transpose, materialised.
    public func transposed() -> Matrix {
        var out = Matrix(rows: cols, cols: rows)
        let (r, c) = (rows, cols)
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for i in 0..<r {
                    for j in 0..<c { dst[j &* r &+ i] = src[i &* c &+ j] }
                }
            }
        }
        return out
    }

    /// The rows at `indices`, in that order.
    public func gatherRows(_ indices: [Int]) -> Matrix {
        var out = Matrix(rows: indices.count, cols: cols)
        let c = cols
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for (k, r) in indices.enumerated() {
                    precondition(r >= 0 && r < rows, "Row index \(r) out of range 0..<\(rows)")
                    let s = src.baseAddress! + r &* c
                    let d = dst.baseAddress! + k &* c
                    d.update(from: s, count: c)
                }
            }
        }
        return out
    }

    /// Rows stacked: `self` on top of `other` (same column count).
    public func vstack(_ other: Matrix) -> Matrix {
        precondition(cols == other.cols || count == 0 || other.count == 0, "vstack needs equal column counts")
        let c = count == 0 ? other.cols : cols
        return Matrix(rows: rows + other.rows, cols: c, storage: storage + other.storage)
    }

    /// Columns side by side: `self` then `other` (same row count).
    public func hstack(_ other: Matrix) -> Matrix {
        precondition(rows == other.rows, "hstack needs equal row counts")
        var out = Matrix(rows: rows, cols: cols + other.cols)
        let (a, b, w) = (cols, other.cols, cols + other.cols)
        storage.withUnsafeBufferPointer { left in
            other.storage.withUnsafeBufferPointer { right in
                out.storage.withUnsafeMutableBufferPointer { dst in
                    for r in 0..<rows {
                        if a > 0 { (dst.baseAddress! + r &* w).update(from: left.baseAddress! + r &* a, count: a) }
                        if b > 0 { (dst.baseAddress! + (r &* w &+ a)).update(from: right.baseAddress! + r &* b, count: b) }
                    }
                }
            }
        }
        return out
    }

    /// Columns `range` as a new matrix.
    public func columns(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= cols, "columns \(range) of \(cols)")
        var out = Matrix(rows: rows, cols: range.count)
        let (c, w) = (cols, range.count)
        guard w > 0 else { return out }
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    (dst.baseAddress! + r &* w).update(from: src.baseAddress! + (r &* c &+ range.lowerBound), count: w)
                }
            }
        }
        return out
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        let shown = (0..<min(rows, 6)).map { r in
            (0..<min(cols, 8)).map { c in String(format: "%9.4f", Double(self[r, c])) }.joined(separator: " ")
                + (cols > 8 ? " ..." : "")
        }
        return "Matrix \(rows)x\(cols)\n" + shown.joined(separator: "\n") + (rows > 6 ? "\n..." : "")
    }
}
