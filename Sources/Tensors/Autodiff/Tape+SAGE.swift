/// The GraphSAGE-mean layer (the seed's GCN layer) as fused ops,
///
///     z = A h W + h B + bias        (A = mean aggregation; rows are nodes)
///
/// Fused because this layer is most of a GCN training step. Composed from
/// generic ops it runs two GEMMs and a sparse product forward, allocates
/// four node-sized temporaries, and runs five products backward. Here:
/// - a narrowing layer (out < in) projects first with one GEMM against
///   [W | B], aggregates the W half in place on top of the B half, and in
///   backward builds G = [Aᵀg | g] so that [dW | dB] = hᵀG and dh = G [W | B]ᵀ
///   are one GEMM each;
/// - a widening layer aggregates first (fewer columns to average), and takes
///   the aggregate as an input, since for constant features it is computed
///   once per graph: z = (A h) W + h B + bias.
extension Tape {
    /// z = A h W + h B + bias; `aggregated`, when given, must be A h.
    public func sageLayer(_ a: SparseOperator, _ h: Variable, aggregated: Variable? = nil,
                          weight w: Variable, root b: Variable, bias: Variable) -> Variable {
        precondition(a.cols == h.rows && w.rows == h.cols && b.rows == h.cols && w.cols == b.cols
                     && bias.rows == 1 && bias.cols == w.cols, "sageLayer: shapes do not fit")
        if let aggregated { return linearPair(aggregated, w, h, b, bias: bias) }
        if w.cols >= w.rows { return linearPair(spmm(a, h), w, h, b, bias: bias) }
        return projectThenAggregate(a, h, w, b, bias: bias)
    }

    /// z = x1 w1 + x2 w2 + bias, two GEMMs into one output.
    public func linearPair(_ x1: Variable, _ w1: Variable, _ x2: Variable, _ w2: Variable, bias: Variable) -> Variable {
        precondition(x1.rows == x2.rows && x1.cols == w1.rows && x2.cols == w2.rows && w1.cols == w2.cols
                     && bias.cols == w1.cols, "linearPair: shapes do not fit")
        let (v1, m1, v2, m2) = (value(x1), value(w1), value(x2), value(w2))
        var z = Matrix(rows: x1.rows, repeatingRow: value(bias))
        BLAS.gemm(v1, m1, beta: 1, into: &z)
        BLAS.gemm(v2, m2, beta: 1, into: &z)
        return record(z, inputs: [x1, w1, x2, w2, bias]) { t, g in
            if t.needsGradient(w1) { t.accumulate(BLAS.matmul(v1, transposeA: true, g), into: w1) }
            if t.needsGradient(w2) { t.accumulate(BLAS.matmul(v2, transposeA: true, g), into: w2) }
            if t.needsGradient(x1) { t.accumulate(BLAS.matmul(g, m1, transposeB: true), into: x1) }
            if t.needsGradient(x2) { t.accumulate(BLAS.matmul(g, m2, transposeB: true), into: x2) }
            if t.needsGradient(bias) { t.accumulate(g.columnSums(), into: bias) }
        }
    }

    /// z = A (h W) + h B + bias with P = h [W | B] from one GEMM.
    func projectThenAggregate(_ a: SparseOperator, _ h: Variable, _ w: Variable, _ b: Variable, bias: Variable) -> Variable {
        let (n, out) = (h.rows, w.cols)
        let hv = value(h)
        let wb = value(w).hstack(value(b))                           // in x 2out
        let p = BLAS.matmul(hv, wb)                                  // N x 2out: [hW | hB]
        var z = Matrix(uninitializedRows: n, cols: out)              // every element is written below
        let biasRow = value(bias)
        p.storage.withUnsafeBufferPointer { ps in
            z.storage.withUnsafeMutableBufferPointer { zs in
                biasRow.storage.withUnsafeBufferPointer { bs in
                    for r in 0..<n {
                        for j in 0..<out { zs[r &* out &+ j] = ps[r &* 2 &* out &+ out &+ j] + bs[j] }
                    }
                }
                a.matrix.values.withUnsafeBufferPointer { vals in
                    SparseKernels.multiplyAccumulate(a.matrix, edgeValues: vals.baseAddress!, heads: 1,
                                                     source: ps.baseAddress!, sourceStride: 2 * out, width: out,
                                                     into: zs.baseAddress!, destinationStride: out)
                }
            }
        }
        return record(z, inputs: [h, w, b, bias]) { t, g in
            // G = [Aᵀ g | g]: the gradient with respect to P.
            var gp = Matrix(uninitializedRows: n, cols: 2 * out)   // each row: zeros for Aᵀg to add into, then g
            gp.storage.withUnsafeMutableBufferPointer { gs in
                g.storage.withUnsafeBufferPointer { src in
                    for r in 0..<n {
                        (gs.baseAddress! + r &* 2 &* out).initialize(repeating: 0, count: out)
                        (gs.baseAddress! + (r &* 2 &* out &+ out)).update(from: src.baseAddress! + r &* out, count: out)
                    }
                    a.transpose.values.withUnsafeBufferPointer { vals in
                        SparseKernels.multiplyAccumulate(a.transpose, edgeValues: vals.baseAddress!, heads: 1,
                                                         source: src.baseAddress!, sourceStride: out, width: out,
                                                         into: gs.baseAddress!, destinationStride: 2 * out)
                    }
                }
            }
            if t.needsGradient(w) || t.needsGradient(b) {
                let dwb = BLAS.matmul(hv, transposeA: true, gp)      // in x 2out: [dW | dB]
                t.accumulate(dwb.columns(0..<out), into: w)
                t.accumulate(dwb.columns(out..<(2 * out)), into: b)
            }
            if t.needsGradient(h) { t.accumulate(BLAS.matmul(gp, wb, transposeB: true), into: h) }
            if t.needsGradient(bias) { t.accumulate(g.columnSums(), into: bias) }
        }
    }
}

/// A linear map applied block by block of rows, each block with its own
/// compact input and its own selection of weight rows:
///
///     out[rows_i] = input_i · w[weightRows_i] + bias
///
/// For inputs that are zero outside known columns per block (the node types
/// of a bipartite graph), this is the exact product without the zeros. The
/// blocks' products land directly in one output (no concatenation), and
/// backward scatters each block's `input_iᵀ g[rows_i]` into the rows of w.
public struct RowBlock: Sendable {
    public let rows: Range<Int>
    public let input: Matrix
    public let weightRows: [Int32]

    public init(rows: Range<Int>, input: Matrix, weightRows: [Int32]) {
        precondition(input.rows == rows.count && input.cols == weightRows.count, "row block: input must be rows x weightRows")
        self.rows = rows
        self.input = input
        self.weightRows = weightRows
    }
}

extension Tape {
    /// out (rows covered by `blocks`, w.cols wide) with out[rows_i] = input_i · w[weightRows_i] + bias.
    public func blockLinear(_ blocks: [RowBlock], _ w: Variable, bias: Variable) -> Variable {
        let n = blocks.map(\.rows.upperBound).max() ?? 0, out = w.cols
        precondition(bias.rows == 1 && bias.cols == out, "blockLinear: bias must be 1 x \(out)")
        let wv = value(w)
        var z = Matrix(rows: n, repeatingRow: value(bias))
        let selected = blocks.map { wv.gatherRows($0.weightRows) }
        z.storage.withUnsafeMutableBufferPointer { zs in
            for (block, ws) in zip(blocks, selected) where !block.rows.isEmpty && block.input.cols > 0 {
                block.input.storage.withUnsafeBufferPointer { xs in
                    ws.storage.withUnsafeBufferPointer { wp in
                        BLAS.gemm(m: block.rows.count, n: out, k: block.input.cols, xs.baseAddress!, lda: block.input.cols,
                                  wp.baseAddress!, ldb: out, beta: 1,
                                  into: zs.baseAddress! + block.rows.lowerBound &* out, ldc: out)
                    }
                }
            }
        }
        return record(z, inputs: [w, bias]) { t, g in
            if t.needsGradient(w) {
                t.accumulateInPlace(into: w) { dw in
                    for block in blocks where !block.rows.isEmpty && block.input.cols > 0 {
                        var d = Matrix(rows: block.input.cols, cols: out)
                        block.input.storage.withUnsafeBufferPointer { xs in
                            g.storage.withUnsafeBufferPointer { gs in
                                d.storage.withUnsafeMutableBufferPointer { ds in
                                    BLAS.gemm(m: block.input.cols, n: out, k: block.rows.count,
                                              xs.baseAddress!, lda: block.input.cols, transposeA: true,
                                              gs.baseAddress! + block.rows.lowerBound &* out, ldb: out,
                                              into: ds.baseAddress!, ldc: out)
                                }
                            }
                        }
                        dw.scatterAddRows(d, at: block.weightRows)
                    }
                }
            }
            if t.needsGradient(bias) { t.accumulate(g.columnSums(), into: bias) }
        }
    }
}
