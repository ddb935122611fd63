import CKernels

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
                                    RowKernels.axpy(vals[p], s, dst.baseAddress! + Int(ci[p]) &* d, d)
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
        x.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                multiplyAccumulate(a, edgeValues: edgeValues, heads: heads, source: src.baseAddress!,
                                   sourceStride: x.cols, width: x.cols, into: dst.baseAddress!, destinationStride: x.cols)
            }
        }
        return out
    }

    /// dst_v[0..<width] += sum_p values[p * heads + h] * src_{col p}[h-block] for every row v,
    /// where rows of src and dst may be wider than `width` (strides): the product with a
    /// column block of a larger matrix, added in place. Rows split across cores by nonzeros.
    static func multiplyAccumulate(_ a: CSRMatrix, edgeValues: UnsafePointer<Float>, heads: Int,
                                   source: UnsafePointer<Float>, sourceStride: Int, width: Int,
                                   into dst: UnsafeMutablePointer<Float>, destinationStride: Int,
                                   wide: Bool = SparseKernels.wideKernel) {
        let blk = width / heads
        let values = SharedPointer(UnsafeMutablePointer(mutating: edgeValues))
        let s0 = SharedPointer(UnsafeMutablePointer(mutating: source)), d0 = SharedPointer(dst)
        a.rowStart.withUnsafeBufferPointer { start in
            a.colIndex.withUnsafeBufferPointer { ci in
                let index = ci.baseAddress!
                let starts = SharedPointer(UnsafeMutablePointer(mutating: start.baseAddress!))
                Parallel.forEachChunk(count: a.rows, work: a.nonZeroCount &* width,
                                      cumulativeWeight: { start[$0] }) { range in
                    if wide {
                        starts.base.withMemoryRebound(to: Int64.self, capacity: a.rows &+ 1) { rs in
                            for h in 0..<heads {
                                recsh_accumulate_rows_avx2(rs, index, values.base + h, Int64(heads),
                                                           s0.base + h &* blk, Int64(sourceStride),
                                                           d0.base + h &* blk, Int64(destinationStride), Int64(blk),
                                                           Int64(range.lowerBound), Int64(range.upperBound))
                            }
                        }
                        return
                    }
                    for r in range {
                        let lo = start[r], hi = start[r &+ 1]
                        let o = d0.base + r &* destinationStride
                        for h in 0..<heads {
                            RowKernels.accumulateWeightedRows(
                                lo, hi, index: index, weights: values.base + h, weightStride: heads,
                                source: s0.base + h &* blk, sourceStride: sourceStride,
                                into: o + h &* blk, width: blk)
                        }
                    }
                }
            }
        }
    }

    /// The AVX2 + FMA kernel (CKernels) runs when the CPU has it; the Swift
    /// kernel is the portable path and the reference in tests.
    static let wideKernel: Bool = recsh_has_avx2_fma()
}
