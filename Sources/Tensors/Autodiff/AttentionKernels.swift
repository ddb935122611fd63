import CKernels
import Foundation

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
    /// `wide` runs the AVX2 + FMA kernel (CKernels) per head; the Swift loop
    /// below is the portable path and the reference in tests.
    static func aggregate(rowStart: [Int], index: [Int32], entry: [Int32]?, weights: Matrix, heads: Int,
                          x: Matrix, xHeadStride: Int, into out: inout Matrix, outHeadStride: Int, width d: Int,
                          wide: Bool = SparseKernels.wideKernel) {
        guard !index.isEmpty, d > 0 else { return }
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
                                    if wide {
                                        st.baseAddress!.withMemoryRebound(to: Int64.self, capacity: rows &+ 1) { rs in
                                            for k in 0..<heads {
                                                recsh_accumulate_rows_indexed_avx2(
                                                    rs, ci.baseAddress!, mapped ? em.baseAddress : nil, pw.baseAddress! + k, Int64(heads),
                                                    px.baseAddress! + k &* xHeadStride, Int64(xc), o0.base + k &* outHeadStride, Int64(oc),
                                                    Int64(d), Int64(range.lowerBound), Int64(range.upperBound))
                                            }
                                        }
                                        return
                                    }
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

    /// out[p * heads + k] = g[r, k*d ..< +d] . x[index[p], k*xHeadStride ..< +d] for every
    /// row r, entry p of it and head k: each edge weight's gradient in `Tape.aggregate`.
    /// Rows split across the cores as in `aggregate`; `wide` as there.
    static func edgeDots(rowStart: [Int], index: [Int32], g: Matrix, heads: Int, width d: Int,
                         x: Matrix, xHeadStride: Int, into out: inout Matrix, wide: Bool = SparseKernels.wideKernel) {
        guard !index.isEmpty, d > 0 else { return }
        let rows = rowStart.count - 1, gc = g.cols, xc = x.cols
        rowStart.withUnsafeBufferPointer { st in
            index.withUnsafeBufferPointer { ci in
                g.storage.withUnsafeBufferPointer { pg in
                    x.storage.withUnsafeBufferPointer { px in
                        out.storage.withUnsafeMutableBufferPointer { po in
                            let o = SharedPointer(po.baseAddress!)
                            Parallel.forEachChunk(count: rows, work: index.count &* heads &* d, cumulativeWeight: { st[$0] }) { range in
                                if wide {
                                    st.baseAddress!.withMemoryRebound(to: Int64.self, capacity: rows &+ 1) { rs in
                                        for k in 0..<heads {
                                            recsh_edge_dots_avx2(rs, ci.baseAddress!, pg.baseAddress! + k &* d, Int64(gc),
                                                                 px.baseAddress! + k &* xHeadStride, Int64(xc), Int64(d),
                                                                 o.base + k, Int64(heads),
                                                                 Int64(range.lowerBound), Int64(range.upperBound))
                                        }
                                    }
                                    return
                                }
                                for r in range {
                                    let gr = pg.baseAddress! + r &* gc
                                    for p in st[r]..<st[r &+ 1] {
                                        let xu = px.baseAddress! + Int(ci[p]) &* xc
                                        for k in 0..<heads {
                                            o.base[p &* heads &+ k] = dot(gr + k &* d, xu + k &* xHeadStride, d)
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
