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
                m.rowStart.withUnsafeBufferPointer { st in
                    m.colIndex.withUnsafeBufferPointer { ci in
                        g.storage.withUnsafeBufferPointer { pg in
                            xv.storage.withUnsafeBufferPointer { px in
                                da.storage.withUnsafeMutableBufferPointer { pda in
                                    let o = SharedPointer(pda.baseAddress!), gc = heads &* d, xc = xv.cols
                                    let xStride = shared ? 0 : d
                                    Parallel.forEachChunk(count: op.rows, work: nnz &* gc, cumulativeWeight: { st[$0] }) { range in
                                        for v in range {
                                            let gv = pg.baseAddress! + v &* gc
                                            for p in st[v]..<st[v &+ 1] {
                                                let xu = px.baseAddress! + Int(ci[p]) &* xc
                                                for k in 0..<heads {
                                                    o.base[p &* heads &+ k] = AttentionKernels.dot(gv + k &* d, xu + k &* xStride, d)
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

    /// ELU: x for x > 0, e^x - 1 otherwise (the nonlinearity between GAT layers
    /// in PyG's examples). Backward: g, or g (out + 1) = g e^x where x <= 0.
    public func elu(_ a: Variable) -> Variable {
        let x = value(a)
        var out = x
        let n = out.count
        // e^x - 1 through the SIMD exp (the absolute error near 0 stays at
        // Float rounding level, about 1e-7), branch-free over 8 lanes.
        out.storage.withUnsafeMutableBufferPointer { po in
            let raw = UnsafeMutableRawPointer(po.baseAddress!)
            var i = 0
            while i &+ 8 <= n {
                let v = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                let e = AttentionKernels.exp(v.clamped(lowerBound: SIMD8(repeating: -88), upperBound: .zero)) - 1
                raw.storeBytes(of: v.replacing(with: e, where: v .<= 0), toByteOffset: i &* 4, as: SIMD8<Float>.self)
                i &+= 8
            }
            while i < n {
                if po[i] <= 0 { po[i] = AttentionKernels.exp(SIMD8(repeating: po[i]))[0] - 1 }
                i &+= 1
            }
        }
        return record(out, inputs: [a]) { t, g in
            var d = g
            d.storage.withUnsafeMutableBufferPointer { pd in
                x.storage.withUnsafeBufferPointer { px in
                    out.storage.withUnsafeBufferPointer { po in
                        for i in 0..<n { pd[i] *= px[i] > 0 ? 1 : po[i] + 1 }
                    }
                }
            }
            t.accumulate(d, into: a)
        }
    }
}

/// Inner loops of the attention ops. Swift's baseline x86-64 target has
/// 4-wide SSE and no FMA, and a plain `acc += a[j] * b[j]` loop is a serial
/// chain the compiler may not reorder: explicit `SIMD8` accumulators keep
/// the vector units busy, and aggregation keeps a 32-column slice of the
/// output row in registers across the row's edges.
@usableFromInline
enum AttentionKernels {
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var j = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while j &+ 16 <= n {
            s0 += ra.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
            s1 += ra.loadUnaligned(fromByteOffset: (j &+ 8) &* 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: (j &+ 8) &* 4, as: SIMD8<Float>.self)
            j &+= 16
        }
        if j &+ 8 <= n {
            s0 += ra.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
            j &+= 8
        }
        var acc = (s0 + s1).sum()
        while j < n { acc += a[j] * b[j]; j &+= 1 }
        return acc
    }

    /// e^x for 8 lanes (Cephes' expf: x = n ln2 + r, |r| <= ln2/2, a degree-6
    /// polynomial for e^r, 2^n through the exponent bits), relative error about
    /// 2e-7, x clamped to [-87, 88]. Pure SIMD arithmetic, no libm call per element.
    @inline(__always)
    static func exp(_ v: SIMD8<Float>) -> SIMD8<Float> {
        let x = v.clamped(lowerBound: SIMD8(repeating: -87), upperBound: SIMD8(repeating: 88))
        // Round x log2(e) to the nearest integer with the 1.5 * 2^23 trick.
        let shifter = SIMD8<Float>(repeating: 12_582_912)
        let t = x * 1.442_695_04 + shifter
        let n = t - shifter
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var y = SIMD8<Float>(repeating: 1.987_569_15e-4)
        y = y * r + 1.398_199_95e-3
        y = y * r + 8.333_451_9e-3
        y = y * r + 4.166_579_59e-2
        y = y * r + 1.666_666_55e-1
        y = y * r + 5.000_000_12e-1
        y = y * (r * r) + r + 1
        // 2^n: n sits in the low mantissa bits of t (offset by 0x4B400000).
        let bits = (unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return y * unsafeBitCast(bits, to: SIMD8<Float>.self)
    }

    /// x[i * stride] = e^(x[i * stride] - shift) for i in 0..<count, 8 at a time.
    @inline(__always)
    static func expInPlace(_ x: UnsafeMutablePointer<Float>, count: Int, stride: Int, minus shift: Float) {
        var i = 0
        let m = SIMD8<Float>(repeating: shift)
        if stride == 1 {
            let raw = UnsafeMutableRawPointer(x)
            while i &+ 8 <= count {
                let v = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                raw.storeBytes(of: exp(v - m), toByteOffset: i &* 4, as: SIMD8<Float>.self)
                i &+= 8
            }
        }
        while i < count {
            // The tail (and strided rows) through the same polynomial, 8 lanes at a time.
            var v = SIMD8<Float>(repeating: shift)
            let n = Swift.min(8, count &- i)
            for l in 0..<n { v[l] = x[(i &+ l) &* stride] }
            let e = exp(v - m)
            for l in 0..<n { x[(i &+ l) &* stride] = e[l] }
            i &+= n
        }
    }

    /// out[r, k*outHeadStride ..< +width] += sum_{p in row r} w[e(p), k] * x[index[p], k*xHeadStride ..< +width]
    /// for every row r and head k, where e(p) = entry[p] (or p when entry is nil).
    /// Rows are split across the cores; each writes only its own output rows.
    static func aggregate(rowStart: [Int], index: [Int32], entry: [Int32]?, weights: Matrix, heads: Int,
                          x: Matrix, xHeadStride: Int, into out: inout Matrix, outHeadStride: Int, width d: Int) {
        let rows = rowStart.count - 1, xc = x.cols, oc = out.cols
        let identity: [Int32] = []
        let map = entry ?? identity, mapped = entry != nil
        rowStart.withUnsafeBufferPointer { st in
            index.withUnsafeBufferPointer { ci in
                map.withUnsafeBufferPointer { em in
                    weights.storage.withUnsafeBufferPointer { pw in
                        x.storage.withUnsafeBufferPointer { px in
                            out.storage.withUnsafeMutableBufferPointer { po in
                                let o0 = SharedPointer(po.baseAddress!)
                                let x0 = UnsafeRawPointer(px.baseAddress!)
                                Parallel.forEachChunk(count: rows, work: index.count &* heads &* d, cumulativeWeight: { st[$0] }) { range in
                                    for r in range {
                                        let lo = st[r], hi = st[r &+ 1]
                                        if lo == hi { continue }
                                        for k in 0..<heads {
                                            let orow = UnsafeMutableRawPointer(o0.base + (r &* oc &+ k &* outHeadStride))
                                            let xoff = k &* xHeadStride &* 4
                                            var c = 0
                                            while c &+ 32 <= d {
                                                let cb = c &* 4
                                                var a0 = orow.loadUnaligned(fromByteOffset: cb, as: SIMD8<Float>.self)
                                                var a1 = orow.loadUnaligned(fromByteOffset: cb &+ 32, as: SIMD8<Float>.self)
                                                var a2 = orow.loadUnaligned(fromByteOffset: cb &+ 64, as: SIMD8<Float>.self)
                                                var a3 = orow.loadUnaligned(fromByteOffset: cb &+ 96, as: SIMD8<Float>.self)
                                                for p in lo..<hi {
                                                    let e = mapped ? Int(em[p]) : p
                                                    let w = SIMD8<Float>(repeating: pw[e &* heads &+ k])
                                                    let s = x0 + (Int(ci[p]) &* xc &* 4 &+ xoff &+ cb)
                                                    a0 += w * s.loadUnaligned(as: SIMD8<Float>.self)
                                                    a1 += w * s.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                                                    a2 += w * s.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                                                    a3 += w * s.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
                                                }
                                                orow.storeBytes(of: a0, toByteOffset: cb, as: SIMD8<Float>.self)
                                                orow.storeBytes(of: a1, toByteOffset: cb &+ 32, as: SIMD8<Float>.self)
                                                orow.storeBytes(of: a2, toByteOffset: cb &+ 64, as: SIMD8<Float>.self)
                                                orow.storeBytes(of: a3, toByteOffset: cb &+ 96, as: SIMD8<Float>.self)
                                                c &+= 32
                                            }
                                            while c &+ 8 <= d {
                                                let cb = c &* 4
                                                var a0 = orow.loadUnaligned(fromByteOffset: cb, as: SIMD8<Float>.self)
                                                for p in lo..<hi {
                                                    let e = mapped ? Int(em[p]) : p
                                                    let s = x0 + (Int(ci[p]) &* xc &* 4 &+ xoff &+ cb)
                                                    a0 += SIMD8<Float>(repeating: pw[e &* heads &+ k]) * s.loadUnaligned(as: SIMD8<Float>.self)
                                                }
                                                orow.storeBytes(of: a0, toByteOffset: cb, as: SIMD8<Float>.self)
                                                c &+= 8
                                            }
                                            if c < d {
                                                let ob = o0.base + (r &* oc &+ k &* outHeadStride)
                                                for p in lo..<hi {
                                                    let e = mapped ? Int(em[p]) : p
                                                    let w = pw[e &* heads &+ k]
                                                    let s = px.baseAddress! + (Int(ci[p]) &* xc &+ k &* xHeadStride)
                                                    for j in c..<d { ob[j] += w * s[j] }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Matrix {
    /// Columns start..<start+width as a new matrix.
    func columnBlock(_ start: Int, _ width: Int) -> Matrix {
        var out = Matrix(rows: rows, cols: width)
        for r in 0..<rows {
            for j in 0..<width { out.storage[r &* width &+ j] = storage[r &* cols &+ start &+ j] }
        }
        return out
    }

    /// Writes `block` into columns start..<start+block.cols.
    mutating func setColumnBlock(_ start: Int, _ block: Matrix) {
        precondition(block.rows == rows && start + block.cols <= cols, "setColumnBlock shape")
        let w = block.cols
        for r in 0..<rows {
            for j in 0..<w { storage[r &* cols &+ start &+ j] = block.storage[r &* w &+ j] }
        }
    }
}
