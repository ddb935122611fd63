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
                            var acc: Float = 0
                            for j in 0..<c { acc += xr[j] * ak[j] }
                            po[r &* heads &+ k] = acc
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
                                            var total: Float = 0
                                            for p in lo..<hi {
                                                let e = expf(out.base[p &* heads &+ k] - m)
                                                out.base[p &* heads &+ k] = e
                                                total += e
                                            }
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
    /// weights nnz x H, x op.cols x (H*D): the same value as `weightedSpmm`.
    /// Backward: dw_p[k] = g_v[k-block] . x_u[k-block], computed row-parallel over
    /// destinations; dx_u = sum_{p: u -> v} w_p g_v through the stored transpose.
    public func attend(_ op: SparseOperator, _ weights: Variable, _ x: Variable) -> Variable {
        precondition(weights.rows == op.nonZeroCount, "attend: weights need one row per edge")
        precondition(x.rows == op.cols && x.cols % weights.cols == 0, "attend: x must be \(op.cols) x (heads*D)")
        let av = value(weights), xv = value(x)
        let out = op.matrix.times(xv, edgeValues: av)
        return record(out, inputs: [weights, x]) { t, g in
            if t.needsGradient(weights) {
                let heads = av.cols, d = xv.cols, blk = d / heads, nnz = op.nonZeroCount
                var da = Matrix(rows: nnz, cols: heads)
                op.matrix.rowStart.withUnsafeBufferPointer { st in
                    op.matrix.colIndex.withUnsafeBufferPointer { ci in
                        g.storage.withUnsafeBufferPointer { pg in
                            xv.storage.withUnsafeBufferPointer { px in
                                da.storage.withUnsafeMutableBufferPointer { pda in
                                    let out = SharedPointer(pda.baseAddress!)
                                    Parallel.forEachChunk(count: op.rows, work: nnz &* d, cumulativeWeight: { st[$0] }) { range in
                                        for v in range {
                                            let gv = pg.baseAddress! + v &* d
                                            for p in st[v]..<st[v &+ 1] {
                                                let xu = px.baseAddress! + Int(ci[p]) &* d
                                                for k in 0..<heads {
                                                    var acc: Float = 0
                                                    let off = k &* blk
                                                    for j in off..<(off &+ blk) { acc += gv[j] * xu[j] }
                                                    out.base[p &* heads &+ k] = acc
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                t.accumulate(da, into: weights)
            }
            if t.needsGradient(x) {
                t.accumulate(op.transpose.times(g, edgeValues: op.valuesInTransposeOrder(av)), into: x)
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

    /// ELU: x for x > 0, e^x - 1 otherwise (the nonlinearity between GAT layers
    /// in PyG's examples). Backward: g, or g (out + 1) where x <= 0.
    public func elu(_ a: Variable) -> Variable {
        let x = value(a)
        var out = x
        let n = out.count
        out.storage.withUnsafeMutableBufferPointer { po in
            for i in 0..<n where po[i] <= 0 { po[i] = expm1f(po[i]) }
        }
        return record(out, inputs: [a]) { t, g in
            var d = g
            d.storage.withUnsafeMutableBufferPointer { pd in
                x.storage.withUnsafeBufferPointer { px in
                    out.storage.withUnsafeBufferPointer { po in
                        for i in 0..<n where px[i] <= 0 { pd[i] *= po[i] + 1 }
                    }
                }
            }
            t.accumulate(d, into: a)
        }
    }
}
