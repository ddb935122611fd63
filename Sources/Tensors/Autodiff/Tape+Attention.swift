import Foundation

/// Fused, row-parallel ops for graph attention (GAT), in `SparseOperator`'s
/// vocabulary: entry p is the edge u -> v (u = `source[p]`, v = `destination[p]`),
/// per-edge tensors are nnz x H in CSR entry order, and only the operator's
/// sparsity pattern is used.
///
/// They replace the composition in Tape+Graph.swift on the hot path:
/// the attention logit `a^T [W h_u || W h_v]` is split into two per-node
/// scalars per head (`headDots`), and gather + add + LeakyReLU + edge softmax
/// run as one op (`edgeAttention`) whose forward and backward each walk the
/// CSR once, split over destination rows across the cores. `attend` is
/// `weightedSpmm` with its edge-weight gradient parallelised the same way.
/// The composed ops stay the reference: the tests check these against them
/// and against finite differences.
extension Tape {
    /// Per-node, per-head dot products with a head-wise vector:
    /// x is N x (H*C) (head k in columns k*C..<(k+1)*C), a is H x C,
    /// out[n, k] = x[n, k-block] . a[k]. Backward: dx[n, k-block] = g[n, k] a[k],
    /// da[k] = sum_n g[n, k] x[n, k-block].
    public func headDots(_ x: Variable, _ a: Variable) -> Variable {
        let heads = a.rows, c = a.cols
        precondition(x.cols == heads * c, "headDots: x has \(x.cols) columns, expected heads*C = \(heads * c)")
        let xv = value(x), av = value(a), n = x.rows
        var out = Matrix(rows: n, cols: heads)
        xv.storage.withUnsafeBufferPointer { px in
            av.storage.withUnsafeBufferPointer { pa in
                out.storage.withUnsafeMutableBufferPointer { po in
                    for r in 0..<n {
                        for k in 0..<heads {
                            let xr = px.baseAddress! + (r &* x.cols &+ k &* c), ak = pa.baseAddress! + k &* c
                            po[r &* heads &+ k] = AttentionKernels.dot(xr, ak, c)
                        }
                    }
                }
            }
        }
        return record(out, inputs: [x, a]) { t, g in
            if t.needsGradient(x) {
                var dx = Matrix(rows: n, cols: heads * c)
                dx.storage.withUnsafeMutableBufferPointer { pd in
                    av.storage.withUnsafeBufferPointer { pa in
                        g.storage.withUnsafeBufferPointer { pg in
                            for r in 0..<n {
                                for k in 0..<heads {
                                    let s = pg[r &* heads &+ k]
                                    let d = pd.baseAddress! + (r &* heads &* c &+ k &* c), ak = pa.baseAddress! + k &* c
                                    for j in 0..<c { d[j] = s * ak[j] }
                                }
                            }
                        }
                    }
                }
                t.accumulate(dx, into: x)
            }
            if t.needsGradient(a) {
                var da = Matrix(rows: heads, cols: c)
                da.storage.withUnsafeMutableBufferPointer { pd in
                    xv.storage.withUnsafeBufferPointer { px in
                        g.storage.withUnsafeBufferPointer { pg in
                            for r in 0..<n {
                                for k in 0..<heads {
                                    let s = pg[r &* heads &+ k]
                                    let xr = px.baseAddress! + (r &* heads &* c &+ k &* c), d = pd.baseAddress! + k &* c
                                    for j in 0..<c { d[j] += s * xr[j] }
                                }
                            }
                        }
                    }
                }
                t.accumulate(da, into: a)
            }
        }
    }

    /// GAT attention weights from per-node logit halves:
    /// `w_p[k] = softmax over v's edges of LeakyReLU(source[u, k] + destination[v, k])`,
    /// source (op.cols x H) and destination (op.rows x H). The softmax subtracts
    /// each segment's maximum, so any logits give finite weights; empty rows
    /// have no entries. Equal to
    /// `edgeSoftmax(leakyRelu(gatherEdgeSources(source) + gatherEdgeDestinations(destination)))`.
    ///
    /// Backward, per row v and head: dE_p = w_p (g_p - sum_{p' in v} w_p' g_p'),
    /// dlogit_p = dE_p * (1 or slope); d destination[v] = sum over v's row,
    /// d source[u] = sum over u's column (walked through the stored transpose).
    public func edgeAttention(_ op: SparseOperator, source: Variable, destination: Variable, slope: Float = 0.2) -> Variable {
        let heads = source.cols
        precondition(destination.cols == heads, "edgeAttention: source and destination need equal head counts")
        precondition(source.rows == op.cols && destination.rows == op.rows,
                     "edgeAttention: source must have \(op.cols) rows and destination \(op.rows)")
        let nnz = op.nonZeroCount, rows = op.rows
        let sv = value(source), dv = value(destination)
        var w = Matrix(rows: nnz, cols: heads)
        // Sign of each pre-activation logit, for LeakyReLU's backward.
        var negative = [Bool](repeating: false, count: nnz * heads)
        op.matrix.rowStart.withUnsafeBufferPointer { start in
            op.matrix.colIndex.withUnsafeBufferPointer { ci in
                sv.storage.withUnsafeBufferPointer { ps in
                    dv.storage.withUnsafeBufferPointer { pdst in
                        w.storage.withUnsafeMutableBufferPointer { pw in
                            negative.withUnsafeMutableBufferPointer { pn in
                                let out = SharedPointer(pw.baseAddress!), neg = SharedPointer(pn.baseAddress!)
                                Parallel.forEachChunk(count: rows, work: nnz &* heads &* 16, cumulativeWeight: { start[$0] }) { range in
                                    for v in range {
                                        let lo = start[v], hi = start[v &+ 1]
                                        if lo == hi { continue }
                                        for k in 0..<heads {
                                            let dk = pdst[v &* heads &+ k]
                                            var m = -Float.infinity
                                            for p in lo..<hi {
                                                var e = ps[Int(ci[p]) &* heads &+ k] + dk
                                                let isNeg = e < 0
                                                if isNeg { e *= slope }
                                                neg.base[p &* heads &+ k] = isNeg
                                                out.base[p &* heads &+ k] = e
                                                m = Swift.max(m, e)
                                            }
                                            AttentionKernels.expInPlace(out.base + (lo &* heads &+ k), count: hi &- lo,
                                                                        stride: heads, minus: m)
                                            var total: Float = 0
                                            for p in lo..<hi { total += out.base[p &* heads &+ k] }
                                            let inv = 1 / total
                                            for p in lo..<hi { out.base[p &* heads &+ k] *= inv }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let weights = w, signs = negative
        return record(weights, inputs: [source, destination]) { t, g in
            // dlogit per edge, and its row sums (destination gradient) in one pass.
            var dl = Matrix(rows: nnz, cols: heads)
            var dDst = Matrix(rows: rows, cols: heads)
            let start = op.matrix.rowStart
            start.withUnsafeBufferPointer { st in
                weights.storage.withUnsafeBufferPointer { pw in
                    g.storage.withUnsafeBufferPointer { pg in
                        signs.withUnsafeBufferPointer { pn in
                            dl.storage.withUnsafeMutableBufferPointer { pdl in
                                dDst.storage.withUnsafeMutableBufferPointer { pdd in
                                    let out = SharedPointer(pdl.baseAddress!), dd = SharedPointer(pdd.baseAddress!)
                                    Parallel.forEachChunk(count: rows, work: nnz &* heads &* 8, cumulativeWeight: { st[$0] }) { range in
                                        for v in range {
                                            let lo = st[v], hi = st[v &+ 1]
                                            for k in 0..<heads {
                                                var dot: Float = 0
                                                for p in lo..<hi { dot += pw[p &* heads &+ k] * pg[p &* heads &+ k] }
                                                var rowSum: Float = 0
                                                for p in lo..<hi {
                                                    let i = p &* heads &+ k
                                                    var d = pw[i] * (pg[i] - dot)
                                                    if pn[i] { d *= slope }
                                                    out.base[i] = d
                                                    rowSum += d
                                                }
                                                dd.base[v &* heads &+ k] = rowSum
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            t.accumulate(dDst, into: destination)
            if t.needsGradient(source) {
                var dSrc = Matrix(rows: op.cols, cols: heads)
                let tr = op.transpose.rowStart, entry = op.transposeEntry
                tr.withUnsafeBufferPointer { ts in
                    entry.withUnsafeBufferPointer { te in
                        dl.storage.withUnsafeBufferPointer { pdl in
                            dSrc.storage.withUnsafeMutableBufferPointer { pds in
                                let ds = SharedPointer(pds.baseAddress!)
                                Parallel.forEachChunk(count: op.cols, work: nnz &* heads &* 4, cumulativeWeight: { ts[$0] }) { range in
                                    for u in range {
                                        for q in ts[u]..<ts[u &+ 1] {
                                            let p = Int(te[q])
                                            for k in 0..<heads { ds.base[u &* heads &+ k] += pdl[p &* heads &+ k] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                t.accumulate(dSrc, into: source)
            }
        }
    }

    /// out_v = sum_{p: u -> v} w_p x_u per head (head k: columns k*D..<(k+1)*D),
    /// weights nnz x H, x op.cols x (H*D): the value of `weightedSpmm`.
    /// Backward: dw_p[k] = g_v[k-block] . x_u[k-block] and
    /// dx_u = sum_{p: u -> v} w_p g_v (through the stored transpose), both row-parallel.
    public func attend(_ op: SparseOperator, _ weights: Variable, _ x: Variable) -> Variable {
        precondition(weights.rows == op.nonZeroCount, "attend: weights need one row per edge")
        precondition(x.rows == op.cols && x.cols % weights.cols == 0, "attend: x must be \(op.cols) x (heads*D)")
        return aggregate(op, weights, x, shared: false)
    }

    /// out_v[k-block] = sum_{p: u -> v} w_p[k] x_u: every head aggregates the
    /// same rows x (op.cols x D) with its own weights, giving op.rows x (H*D).
    /// With out = attendShared(a, h), out[k-block] W_k = attend(a, h W) per
    /// head, by linearity: GAT aggregates on the narrower side this way.
    public func attendShared(_ op: SparseOperator, _ weights: Variable, _ x: Variable) -> Variable {
        precondition(weights.rows == op.nonZeroCount, "attendShared: weights need one row per edge")
        precondition(x.rows == op.cols, "attendShared: x must have \(op.cols) rows")
        return aggregate(op, weights, x, shared: true)
    }

    private func aggregate(_ op: SparseOperator, _ weights: Variable, _ x: Variable, shared: Bool) -> Variable {
        let av = value(weights), xv = value(x), heads = weights.cols, nnz = op.nonZeroCount
        let d = shared ? x.cols : x.cols / heads
        let m = op.matrix, tr = op.transpose
        var out = Matrix(rows: op.rows, cols: heads * d)
        AttentionKernels.aggregate(rowStart: m.rowStart, index: m.colIndex, entry: nil, weights: av, heads: heads,
                                   x: xv, xHeadStride: shared ? 0 : d, into: &out, outHeadStride: d, width: d)
        return record(out, inputs: [weights, x]) { t, g in
            if t.needsGradient(weights) {
                var da = Matrix(rows: nnz, cols: heads)
                AttentionKernels.edgeDots(rowStart: m.rowStart, index: m.colIndex, g: g, heads: heads, width: d,
                                          x: xv, xHeadStride: shared ? 0 : d, into: &da)
                t.accumulate(da, into: weights)
            }
            if t.needsGradient(x) {
                // dx_u = sum over u's out-edges p of w_p g_v: the transpose's rows, weights read through transposeEntry.
                var dx = Matrix(rows: xv.rows, cols: xv.cols)
                AttentionKernels.aggregate(rowStart: tr.rowStart, index: tr.colIndex, entry: op.transposeEntry, weights: av,
                                           heads: heads, x: g, xHeadStride: d, into: &dx, outHeadStride: shared ? 0 : d, width: d)
                t.accumulate(dx, into: x)
            }
        }
    }

    /// Head-wise products: x (N x (H*D)) and w (D x (H*C)) give N x (H*C)
    /// with out[k-block] = x[k-block] w[k-block], the projection after
    /// `attendShared`. One head is a plain `matmul`.
    /// Backward: dx[k] = g[k] w[k]ᵀ, dw[k] = x[k]ᵀ g[k].
    public func headMatmul(_ x: Variable, _ w: Variable, heads: Int) -> Variable {
        if heads == 1 { return matmul(x, w) }
        precondition(x.cols % heads == 0 && w.cols % heads == 0 && w.rows == x.cols / heads,
                     "headMatmul: x \(x.rows)x\(x.cols), w \(w.rows)x\(w.cols) for \(heads) heads")
        let xv = value(x), wv = value(w), d = x.cols / heads, c = w.cols / heads
        let xs = (0..<heads).map { xv.columnBlock($0 * d, d) }, ws = (0..<heads).map { wv.columnBlock($0 * c, c) }
        var out = Matrix(rows: x.rows, cols: heads * c)
        for k in 0..<heads { out.setColumnBlock(k * c, BLAS.matmul(xs[k], ws[k])) }
        return record(out, inputs: [x, w]) { t, g in
            let gs = (0..<heads).map { g.columnBlock($0 * c, c) }
            if t.needsGradient(x) {
                var dx = Matrix(rows: xv.rows, cols: xv.cols)
                for k in 0..<heads { dx.setColumnBlock(k * d, BLAS.matmul(gs[k], ws[k], transposeB: true)) }
                t.accumulate(dx, into: x)
            }
            if t.needsGradient(w) {
                var dw = Matrix(rows: wv.rows, cols: wv.cols)
                for k in 0..<heads { dw.setColumnBlock(k * c, BLAS.matmul(xs[k], transposeA: true, gs[k])) }
                t.accumulate(dw, into: w)
            }
        }
    }

    /// The mean over H heads of x (N x (H*D)) -> N x D (GAT's last layer).
    /// Backward: g / H into every head's block.
    public func headMean(_ x: Variable, heads: Int) -> Variable {
        precondition(heads >= 1 && x.cols % heads == 0, "headMean: \(x.cols) columns do not split into \(heads) heads")
        if heads == 1 { return x }
        let d = x.cols / heads, n = x.rows, xv = value(x), scale = 1 / Float(heads)
        var out = Matrix(rows: n, cols: d)
        for r in 0..<n {
            for k in 0..<heads {
                for j in 0..<d { out.storage[r &* d &+ j] += xv.storage[r &* x.cols &+ k &* d &+ j] }
            }
            for j in 0..<d { out.storage[r &* d &+ j] *= scale }
        }
        return record(out, inputs: [x]) { t, g in
            var dx = Matrix(rows: n, cols: heads * d)
            for r in 0..<n {
                for k in 0..<heads {
                    for j in 0..<d { dx.storage[r &* heads &* d &+ k &* d &+ j] = g.storage[r &* d &+ j] * scale }
                }
            }
            t.accumulate(dx, into: x)
        }
    }
}
