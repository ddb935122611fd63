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
        var z = Matrix(rows: x1.rows, cols: w1.cols)
        z.addRowBroadcast(value(bias))
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
        var z = Matrix(rows: n, cols: out)
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
            var gp = Matrix(rows: n, cols: 2 * out)
            gp.storage.withUnsafeMutableBufferPointer { gs in
                g.storage.withUnsafeBufferPointer { src in
                    for r in 0..<n {
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
