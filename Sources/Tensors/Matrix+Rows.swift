import Foundation

/// Row-wise operations: scatter-add (the adjoint of `gatherRows`), row dots,
/// and the fused "gathered row dot" that scores (user, movie) pairs without
/// materialising the gathered rows.
extension Matrix {
    /// Adds row k of `source` into row `indices[k]` of self (duplicates accumulate).
    public mutating func scatterAddRows(_ source: Matrix, at indices: [Int]) {
        precondition(source.rows == indices.count && source.cols == cols, "scatterAddRows shape mismatch")
        let (c, r) = (cols, rows)
        storage.withUnsafeMutableBufferPointer { dst in
            source.storage.withUnsafeBufferPointer { src in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < r, "Row index \(i) out of range 0..<\(r)")
                    let d = dst.baseAddress! + i &* c
                    RowKernels.axpy(1, src.baseAddress! + k &* c, d, c)
                }
            }
        }
    }

    /// The rows at `indices` (Int32 form, as CSR column indices are stored).
    public func gatherRows(_ indices: [Int32]) -> Matrix {
        var out = Matrix(rows: indices.count, cols: cols)
        let (c, r) = (cols, rows)
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for (k, i32) in indices.enumerated() {
                    let i = Int(i32)
                    precondition(i >= 0 && i < r, "Row index \(i) out of range 0..<\(r)")
                    (dst.baseAddress! + k &* c).update(from: src.baseAddress! + i &* c, count: c)
                }
            }
        }
        return out
    }

    /// Adds row k of `source` into row `indices[k]` of self (Int32 indices).
    public mutating func scatterAddRows(_ source: Matrix, at indices: [Int32]) {
        scatterAddRows(source, at: indices.map { Int($0) })
    }

    /// Row-wise dot products: an n x 1 column with `self.row(i) . other.row(i)`.
    public func rowDot(_ other: Matrix) -> Matrix {
        checkSameShape(other, "rowDot")
        var out = Matrix(rows: rows, cols: 1)
        let (r, c) = (rows, cols)
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                out.storage.withUnsafeMutableBufferPointer { o in
                    for i in 0..<r {
                        let pa = a.baseAddress! + i &* c, pb = b.baseAddress! + i &* c
                        var acc: Float = 0
                        for j in 0..<c { acc += pa[j] * pb[j] }
                        o[i] = acc
                    }
                }
            }
        }
        return out
    }

    /// Each row replaced by its softmax times `scales[i]`,
    ///
    ///     y_ij = scales[i] e^(x_ij - max_j x_ij) / sum_j e^(x_ij - max_j x_ij),
    ///
    /// shifted by the row's maximum so no exponent overflows.
    public mutating func softmaxRows(scaledBy scales: [Float]) {
        precondition(scales.count == rows, "softmaxRows needs one scale per row (\(rows)), got \(scales.count)")
        let (r, c) = (rows, cols)
        storage.withUnsafeMutableBufferPointer { d in
            for i in 0..<r where c > 0 {
                let o = i &* c
                var top = -Float.infinity
                for j in 0..<c { top = Swift.max(top, d[o &+ j]) }
                var z: Float = 0
                for j in 0..<c { d[o &+ j] = exp(d[o &+ j] - top); z += d[o &+ j] }
                let s = scales[i] / z
                for j in 0..<c { d[o &+ j] *= s }
            }
        }
    }

    /// Each row scaled by the matching entry of the n x 1 column `factors`.
    public func scalingRows(by factors: Matrix) -> Matrix {
        precondition(factors.rows == rows && factors.cols == 1, "scalingRows needs an \(rows)x1 column")
        var out = self
        let (r, c) = (rows, cols)
        out.storage.withUnsafeMutableBufferPointer { d in
            factors.storage.withUnsafeBufferPointer { f in
                for i in 0..<r {
                    let s = f[i], o = i &* c
                    for j in 0..<c { d[o &+ j] *= s }
                }
            }
        }
        return out
    }
}

/// Dot products of gathered row pairs, `out[k] = a.row(ia[k]) . b.row(ib[k])`,
/// and their adjoint. Scoring 10,240 (user, negative) pairs this way reads
/// the embeddings in place instead of copying 10,240 rows twice.
public enum GatheredRowDot {
    public static func forward(_ a: Matrix, _ ia: [Int32], _ b: Matrix, _ ib: [Int32]) -> Matrix {
        precondition(ia.count == ib.count && a.cols == b.cols, "gathered row dot shape mismatch")
        let n = ia.count, c = a.cols
        var out = Matrix(rows: n, cols: 1)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                ia.withUnsafeBufferPointer { xa in
                    ib.withUnsafeBufferPointer { xb in
                        out.storage.withUnsafeMutableBufferPointer { o in
                            for k in 0..<n {
                                let ra = Int(xa[k]), rb = Int(xb[k])
                                precondition(ra >= 0 && ra < a.rows && rb >= 0 && rb < b.rows, "gathered row out of range")
                                let sa = pa.baseAddress! + ra &* c, sb = pb.baseAddress! + rb &* c
                                o[k] = RowKernels.dot(sa, sb, c)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Accumulates `target.row(it[k]) += g[k] * other.row(io[k])` for every k.
    public static func accumulate(into target: inout Matrix, _ it: [Int32], g: Matrix, other: Matrix, _ io: [Int32]) {
        let n = it.count, c = target.cols
        target.storage.withUnsafeMutableBufferPointer { pt in
            other.storage.withUnsafeBufferPointer { po in
                g.storage.withUnsafeBufferPointer { pg in
                    it.withUnsafeBufferPointer { xt in
                        io.withUnsafeBufferPointer { xo in
                            for k in 0..<n {
                                let d = pt.baseAddress! + Int(xt[k]) &* c
                                let s = po.baseAddress! + Int(xo[k]) &* c
                                RowKernels.axpy(pg[k], s, d, c)
                            }
                        }
                    }
                }
            }
        }
    }
}
