import Foundation

/// Elementwise nonlinearities. Sigmoid and log-sigmoid are written in their
/// numerically stable forms, so scores of any size give finite losses; ELU
/// uses the attention kernels' SIMD exp.
extension Tape {
    /// max(x, 0). Backward passes g where the output is positive.
    public func relu(_ a: Variable) -> Variable {
        let out = value(a).relu()
        return record(out, inputs: [a]) { t, g in
            // Masked straight from g into a new buffer: one pass, not a copy of g and then a pass over it.
            let n = g.count
            let d = [Float](unsafeUninitializedCapacity: n) { buffer, count in
                g.storage.withUnsafeBufferPointer { pg in
                    out.storage.withUnsafeBufferPointer { po in
                        if n > 0 { RowKernels.maskNonPositive(pg.baseAddress!, by: po.baseAddress!, into: buffer.baseAddress!, n) }
                    }
                }
                count = n
            }
            t.accumulate(Matrix(rows: g.rows, cols: g.cols, storage: d), into: a)
        }
    }

    /// x for x > 0, slope * x otherwise (GAT's attention nonlinearity).
    public func leakyRelu(_ a: Variable, slope: Float = 0.2) -> Variable {
        let x = value(a)
        var out = x
        for i in 0..<out.count where out.storage[i] < 0 { out.storage[i] *= slope }
        return record(out, inputs: [a]) { t, g in
            var d = g
            for i in 0..<d.count where x.storage[i] < 0 { d.storage[i] *= slope }
            t.accumulate(d, into: a)
        }
    }

    /// 1 / (1 + e^-x), evaluated without overflow for large |x|.
    public func sigmoid(_ a: Variable) -> Variable {
        let out = value(a).map(Activations.sigmoid)
        return record(out, inputs: [a]) { t, g in
            var d = g
            for i in 0..<d.count { let s = out.storage[i]; d.storage[i] *= s * (1 - s) }
            t.accumulate(d, into: a)
        }
    }

    /// ln sigmoid(x) = min(x, 0) - ln(1 + e^-|x|). Backward: g * sigmoid(-x).
    public func logSigmoid(_ a: Variable) -> Variable {
        let x = value(a)
        let out = x.map(Activations.logSigmoid)
        return record(out, inputs: [a]) { t, g in
            var d = g
            for i in 0..<d.count { d.storage[i] *= Activations.sigmoid(-x.storage[i]) }
            t.accumulate(d, into: a)
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

/// Scalar forms of the activations, shared by the tape and inference code.
public enum Activations {
    @inlinable public static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + expf(-x)) }
        let e = expf(x)
        return e / (1 + e)
    }

    @inlinable public static func logSigmoid(_ x: Float) -> Float {
        min(x, 0) - log1pf(expf(-abs(x)))
    }
}
