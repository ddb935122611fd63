/// Fast sparse x dense products. Rows are independent, so the work splits
/// across cores by row ranges balanced on nonzeros; each output row is
/// accumulated in place with the inner loop over the dense row (vectorised
/// by the compiler).
extension CSRMatrix {
    /// self * x, `rows` x `x.cols`.
    public func times(_ x: Matrix) -> Matrix {
        precondition(x.rows == cols, "CSR product: \(rows)x\(cols) * \(x.rows)x\(x.cols)")
        return values.withUnsafeBufferPointer { vals in
            SparseKernels.multiply(self, edgeValues: vals.baseAddress!, heads: 1, x)
        }
    }

    /// self * x with the stored values replaced by `edgeValues` (nnz x heads,
    /// row-major). Head h uses columns `h*D..<(h+1)*D` of x, D = x.cols / heads.
    public func times(_ x: Matrix, edgeValues: Matrix) -> Matrix {
        precondition(edgeValues.rows == nonZeroCount && x.cols % edgeValues.cols == 0,
                     "edge values must be nnz x heads with heads dividing x.cols")
        return edgeValues.storage.withUnsafeBufferPointer { vals in
            SparseKernels.multiply(self, edgeValues: vals.baseAddress!, heads: edgeValues.cols, x)
        }
    }

    /// selfᵀ * x, computed by scattering (single thread). For repeated use
    /// keep a `SparseOperator`, whose precomputed transpose runs in parallel.
    public func transposeTimes(_ x: Matrix) -> Matrix {
        precondition(x.rows == rows, "CSR transpose product: (\(rows)x\(cols))ᵀ * \(x.rows)x\(x.cols)")
        var out = Matrix(rows: cols, cols: x.cols)
        let d = x.cols
        rowStart.withUnsafeBufferPointer { start in
            colIndex.withUnsafeBufferPointer { ci in
                values.withUnsafeBufferPointer { vals in
                    x.storage.withUnsafeBufferPointer { src in
                        out.storage.withUnsafeMutableBufferPointer { dst in
                            for r in 0..<rows {
                                let s = src.baseAddress! + r &* d
                                for p in start[r]..<start[r &+ 1] {
                                    let v = vals[p]
                                    let o = dst.baseAddress! + Int(ci[p]) &* d
                                    for j in 0..<d { o[j] += v * s[j] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

@usableFromInline
enum SparseKernels {
    /// out_v[h-block] = sum_p values[p * heads + h] * x_{col p}[h-block].
    static func multiply(_ a: CSRMatrix, edgeValues: UnsafePointer<Float>, heads: Int, _ x: Matrix) -> Matrix {
        var out = Matrix(rows: a.rows, cols: x.cols)
        let d = x.cols, blk = d / heads
        let shared = SharedPointer(UnsafeMutablePointer(mutating: edgeValues))
        a.rowStart.withUnsafeBufferPointer { start in
            a.colIndex.withUnsafeBufferPointer { ci in
                x.storage.withUnsafeBufferPointer { src in
                    out.storage.withUnsafeMutableBufferPointer { dst in
                        let s0 = src.baseAddress!, d0 = SharedPointer(dst.baseAddress!)
                        Parallel.forEachChunk(count: a.rows, work: a.nonZeroCount &* d,
                                              cumulativeWeight: { start[$0] }) { range in
                            let vals = UnsafePointer(shared.base)
                            for r in range {
                                let o = d0.base + r &* d
                                let lo = start[r], hi = start[r &+ 1]
                                if heads == 1 {
                                    for p in lo..<hi {
                                        let v = vals[p], s = s0 + Int(ci[p]) &* d
                                        for j in 0..<d { o[j] += v * s[j] }
                                    }
                                } else {
                                    for p in lo..<hi {
                                        let s = s0 + Int(ci[p]) &* d
                                        for h in 0..<heads {
                                            let v = vals[p &* heads &+ h], off = h &* blk
                                            for j in off..<(off &+ blk) { o[j] += v * s[j] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
