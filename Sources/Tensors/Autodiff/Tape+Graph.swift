import Foundation

/// Edge-level ops for attention models (GAT). All follow `SparseOperator`'s
/// vocabulary: entry p of the operator is the edge u -> v, u = `source[p]`
/// (column), v = `destination[p]` (row); per-edge tensors are nnz x H
/// (H heads) in CSR entry order. Only the operator's sparsity pattern is
/// used here, never its stored values.
///
/// A GAT layer composes them as
/// ```
/// let wh  = tape.matmul(h, w)                              // N x (H*D)
/// let eu  = tape.gatherEdgeSources(op, su)                 // nnz x H, su = per-node a_src·Wh_u
/// let ev  = tape.gatherEdgeDestinations(op, sv)            // nnz x H
/// let e   = tape.leakyRelu(tape.add(eu, ev), slope: 0.2)
/// let a   = tape.edgeSoftmax(op, e)                        // softmax over each v's in-edges
/// let out = tape.weightedSpmm(op, a, wh)                   // out_v = sum_u a_vu W h_u
/// ```
extension Tape {
    /// Per-edge rows of x at each edge's source node u: nnz x x.cols.
    public func gatherEdgeSources(_ op: SparseOperator, _ x: Variable) -> Variable {
        precondition(x.rows == op.cols, "gatherEdgeSources: x has \(x.rows) rows, operator has \(op.cols) columns")
        return gatherRows(x, op.source)
    }

    /// Per-edge rows of x at each edge's destination node v: nnz x x.cols.
    public func gatherEdgeDestinations(_ op: SparseOperator, _ x: Variable) -> Variable {
        precondition(x.rows == op.rows, "gatherEdgeDestinations: x has \(x.rows) rows, operator has \(op.rows) rows")
        return gatherRows(x, op.destination)
    }

    /// Softmax of edge scores over each destination's edges (each CSR row
    /// segment), separately per head: scores nnz x H -> weights nnz x H that
    /// sum to 1 over every non-empty row. The segment maximum is subtracted
    /// before exponentiating, so large scores cannot overflow.
    /// Backward: dS_p = w_p (g_p - sum_{p' in row} w_p' g_p').
    public func edgeSoftmax(_ op: SparseOperator, _ scores: Variable) -> Variable {
        precondition(scores.rows == op.nonZeroCount, "edgeSoftmax: scores need one row per edge (\(op.nonZeroCount))")
        let s = value(scores), h = scores.cols, start = op.matrix.rowStart
        var w = s
        for r in 0..<op.rows {
            let range = start[r]..<start[r + 1]
            if range.isEmpty { continue }
            for k in 0..<h {
                var m = -Float.infinity
                for p in range { m = max(m, s.storage[p * h + k]) }
                var total: Float = 0
                for p in range {
                    let e = expf(s.storage[p * h + k] - m)
                    w.storage[p * h + k] = e
                    total += e
                }
                for p in range { w.storage[p * h + k] /= total }
            }
        }
        return record(w, inputs: [scores]) { t, g in
            var d = g
            for r in 0..<op.rows {
                let range = start[r]..<start[r + 1]
                for k in 0..<h {
                    var dot: Float = 0
                    for p in range { dot += w.storage[p * h + k] * g.storage[p * h + k] }
                    for p in range { d.storage[p * h + k] = w.storage[p * h + k] * (g.storage[p * h + k] - dot) }
                }
            }
            t.accumulate(d, into: scores)
        }
    }

    /// out_v = sum_{p: u -> v} a_p x_u with learnable edge weights a (nnz x H)
    /// and node rows x (N x H*D); head k uses columns k*D..<(k+1)*D of x
    /// and of the output. Gradients reach both: da_p[k] = g_v[k-block] . x_u[k-block],
    /// dx_u = sum_{p: u -> v} a_p g_v (via the stored transpose, row-parallel).
    public func weightedSpmm(_ op: SparseOperator, _ weights: Variable, _ x: Variable) -> Variable {
        precondition(weights.rows == op.nonZeroCount, "weightedSpmm: weights need one row per edge")
        precondition(x.rows == op.cols && x.cols % weights.cols == 0, "weightedSpmm: x must be \(op.cols) x (heads*D)")
        let av = value(weights), xv = value(x)
        let out = op.matrix.times(xv, edgeValues: av)
        return record(out, inputs: [weights, x]) { t, g in
            if t.needsGradient(weights) {
                let heads = av.cols, d = xv.cols, blk = d / heads
                var da = Matrix(rows: op.nonZeroCount, cols: heads)
                let src = op.source, dst = op.destination
                for p in 0..<op.nonZeroCount {
                    let u = Int(src[p]), v = Int(dst[p])
                    for k in 0..<heads {
                        var acc: Float = 0
                        for j in (k * blk)..<((k + 1) * blk) { acc += g.storage[v * d + j] * xv.storage[u * d + j] }
                        da.storage[p * heads + k] = acc
                    }
                }
                t.accumulate(da, into: weights)
            }
            if t.needsGradient(x) {
                t.accumulate(op.transpose.times(g, edgeValues: op.valuesInTransposeOrder(av)), into: x)
            }
        }
    }
}
