import Foundation

/// Whole-matrix elementwise arithmetic: the building blocks of the autodiff
/// tape's forward and backward passes. In-place forms (`add(_:)`,
/// `addScaled(_:_:)`) exist so gradients accumulate without new allocations.
extension Matrix {
    @inline(__always)
    func checkSameShape(_ other: Matrix, _ what: StaticString) {
        precondition(rows == other.rows && cols == other.cols,
                     "\(what): shapes \(rows)x\(cols) and \(other.rows)x\(other.cols) differ")
    }

    /// self += other.
    public mutating func add(_ other: Matrix) {
        checkSameShape(other, "add")
        let n = count
        storage.withUnsafeMutableBufferPointer { d in
            other.storage.withUnsafeBufferPointer { s in
                for i in 0..<n { d[i] += s[i] }
            }
        }
    }

    /// self += alpha * other (axpy).
    public mutating func addScaled(_ other: Matrix, _ alpha: Float) {
        checkSameShape(other, "addScaled")
        let n = count
        storage.withUnsafeMutableBufferPointer { d in
            other.storage.withUnsafeBufferPointer { s in
                for i in 0..<n { d[i] += alpha * s[i] }
            }
        }
    }

    /// self *= alpha.
    public mutating func scale(by alpha: Float) {
        let n = count
        storage.withUnsafeMutableBufferPointer { d in
            for i in 0..<n { d[i] *= alpha }
        }
    }

    public static func + (a: Matrix, b: Matrix) -> Matrix { var c = a; c.add(b); return c }
    public static func - (a: Matrix, b: Matrix) -> Matrix { var c = a; c.addScaled(b, -1); return c }
    public static func * (a: Float, b: Matrix) -> Matrix { var c = b; c.scale(by: a); return c }

    /// Elementwise (Hadamard) product.
    public func hadamard(_ other: Matrix) -> Matrix {
        checkSameShape(other, "hadamard")
        var out = self
        let n = count
        out.storage.withUnsafeMutableBufferPointer { d in
            other.storage.withUnsafeBufferPointer { s in
                for i in 0..<n { d[i] *= s[i] }
            }
        }
        return out
    }

    /// `f` applied to every element (not for hot paths with cheap `f`: write the loop).
    public func map(_ f: (Float) -> Float) -> Matrix {
        Matrix(rows: rows, cols: cols, storage: storage.map(f))
    }

    /// A `rows` x row.cols matrix whose every row is the 1 x cols `row`: a bias
    /// that products then add into, written in one pass (no zero fill first).
    public init(rows: Int, repeatingRow row: Matrix) {
        precondition(rows >= 0 && row.rows == 1, "repeatingRow needs a 1 x cols row, got \(row.rows)x\(row.cols)")
        let c = row.cols
        let storage = [Float](unsafeUninitializedCapacity: rows * c) { buffer, count in
            row.storage.withUnsafeBufferPointer { src in
                for r in 0..<rows {
                    let o = r &* c
                    for j in 0..<c { buffer[o &+ j] = src[j] }
                }
            }
            count = rows * c
        }
        self.init(rows: rows, cols: c, storage: storage)
    }

    /// Adds the 1 x cols row `bias` to every row.
    public mutating func addRowBroadcast(_ bias: Matrix) {
        precondition(bias.rows == 1 && bias.cols == cols, "bias must be 1x\(cols), got \(bias.rows)x\(bias.cols)")
        let (r, c) = (rows, cols)
        storage.withUnsafeMutableBufferPointer { d in
            bias.storage.withUnsafeBufferPointer { b in
                for i in 0..<r {
                    let o = i &* c
                    for j in 0..<c { d[o &+ j] += b[j] }
                }
            }
        }
    }

    /// Column sums as a 1 x cols row (the gradient of a row broadcast).
    public func columnSums() -> Matrix {
        var out = Matrix(rows: 1, cols: cols)
        let (r, c) = (rows, cols)
        storage.withUnsafeBufferPointer { s in
            out.storage.withUnsafeMutableBufferPointer { d in
                for i in 0..<r {
                    let o = i &* c
                    for j in 0..<c { d[j] += s[o &+ j] }
                }
            }
        }
        return out
    }

    /// Sum of all elements, accumulated in Double.
    public func sum() -> Double {
        storage.withUnsafeBufferPointer { s in
            var acc: Double = 0
            for x in s { acc += Double(x) }
            return acc
        }
    }

    /// Frobenius norm, accumulated in Double.
    public func norm() -> Double {
        storage.withUnsafeBufferPointer { s in
            var acc: Double = 0
            for x in s { acc += Double(x) * Double(x) }
            return acc.squareRoot()
        }
    }

    /// Largest absolute elementwise difference (tests).
    public func maxAbsDifference(_ other: Matrix) -> Float {
        checkSameShape(other, "maxAbsDifference")
        var m: Float = 0
        for i in 0..<count { m = Swift.max(m, abs(storage[i] - other.storage[i])) }
        return m
    }

    /// max(x, 0) elementwise.
    public func relu() -> Matrix {
        let n = count
        // Written straight into a new buffer: one pass, not a copy and then a pass over it.
        let out = [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
            storage.withUnsafeBufferPointer { s in
                for i in 0..<n { buffer[i] = Swift.max(s[i], 0) }
            }
            initialized = n
        }
        return Matrix(rows: rows, cols: cols, storage: out)
    }
}
