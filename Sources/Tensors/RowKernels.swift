/// Small vector kernels on raw rows: the inner loops of sparse products,
/// pair scoring and gradient scatters.
///
/// Plain `for j in 0..<n { y[j] += a * x[j] }` over pointers is compiled
/// with memory round-trips per element and, for dot products, a strict
/// left-to-right sum the compiler may not reorder. These kernels hold
/// partial sums in `SIMD8<Float>` registers (four of them, 32 floats), so
/// a sparse row product reads each neighbour row once per 32-column block
/// and writes the output once. Summation order is fixed by the code, so
/// results are deterministic run to run (but differ in the last bits from
/// a scalar loop).
///
/// Callers guarantee the pointers are valid for `width` floats and that
/// `dst` does not overlap the sources.
public enum RowKernels {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// dst[0..<width] += sum over p in lo..<hi of weights[p * weightStride] * rows(index[p])[0..<width],
    /// where rows(i) starts at `source + i * sourceStride`: one CSR row of a sparse-dense product.
    @inline(__always)
    public static func accumulateWeightedRows(
        _ lo: Int, _ hi: Int, index: UnsafePointer<Int32>, weights: UnsafePointer<Float>, weightStride: Int,
        source: UnsafePointer<Float>, sourceStride: Int, into dst: UnsafeMutablePointer<Float>, width: Int
    ) {
        var j = 0
        while j &+ 32 <= width {
            var a0 = load(dst + j), a1 = load(dst + (j &+ 8)), a2 = load(dst + (j &+ 16)), a3 = load(dst + (j &+ 24))
            for p in lo..<hi {
                let v = weights[p &* weightStride]
                let s = source + (Int(index[p]) &* sourceStride &+ j)
                a0 += load(s) * v
                a1 += load(s + 8) * v
                a2 += load(s + 16) * v
                a3 += load(s + 24) * v
            }
            store(a0, dst + j); store(a1, dst + (j &+ 8)); store(a2, dst + (j &+ 16)); store(a3, dst + (j &+ 24))
            j &+= 32
        }
        while j &+ 8 <= width {
            var a0 = load(dst + j)
            for p in lo..<hi { a0 += load(source + (Int(index[p]) &* sourceStride &+ j)) * weights[p &* weightStride] }
            store(a0, dst + j)
            j &+= 8
        }
        while j < width {
            var a: Float = dst[j]
            for p in lo..<hi { a += weights[p &* weightStride] * source[Int(index[p]) &* sourceStride &+ j] }
            dst[j] = a
            j &+= 1
        }
    }

    /// y[0..<n] += a * x[0..<n].
    @inline(__always)
    public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var j = 0
        while j &+ 8 <= n {
            store(load(y + j) + load(x + j) * a, y + j)
            j &+= 8
        }
        while j < n { y[j] += a * x[j]; j &+= 1 }
    }

    /// x[0..<n] . y[0..<n], summed in eight lanes, then across them.
    @inline(__always)
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var j = 0
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        while j &+ 16 <= n {
            a0 += load(x + j) * load(y + j)
            a1 += load(x + (j &+ 8)) * load(y + (j &+ 8))
            j &+= 16
        }
        if j &+ 8 <= n {
            a0 += load(x + j) * load(y + j)
            j &+= 8
        }
        var total = (a0 + a1).sum()
        while j < n { total += x[j] * y[j]; j &+= 1 }
        return total
    }

    /// out[i] = g[i], or 0 wherever y[i] <= 0 (ReLU's backward mask; out may be
    /// g itself), eight lanes at a time: signs are random, so a per-element
    /// branch mispredicts half the time.
    @inline(__always)
    public static func maskNonPositive(_ g: UnsafePointer<Float>, by y: UnsafePointer<Float>,
                                       into out: UnsafeMutablePointer<Float>, _ n: Int) {
        var j = 0
        while j &+ 8 <= n {
            store(load(g + j).replacing(with: 0, where: load(y + j) .<= 0), out + j)
            j &+= 8
        }
        while j < n { out[j] = y[j] <= 0 ? 0 : g[j]; j &+= 1 }
    }
}
