/// Inverted dropout, active only on a training tape.
///
/// A tape made with `Tape(training:)` draws its masks from that generator;
/// every other tape (inference, `embed`) makes `dropout` the identity, so a
/// model's forward pass is written once and behaves right in both modes.
extension Tape {
    /// x with each element zeroed with probability `rate` and the rest scaled
    /// by 1/(1 - rate). Backward: g times the same mask. Identity when the
    /// tape is not training or `rate` is 0.
    public func dropout(_ x: Variable, rate: Float) -> Variable {
        guard rate > 0, var rng = trainingGenerator else { return x }
        precondition(rate < 1, "dropout: rate \(rate) must be below 1")
        let keep = 1 - rate, scale = 1 / keep
        var mask = Matrix(rows: x.rows, cols: x.cols)
        // Two 32-bit draws per 64-bit word: element kept when its draw < keep * 2^32.
        let threshold = UInt64(Double(keep) * 4_294_967_296)
        mask.storage.withUnsafeMutableBufferPointer { m in
            var i = 0
            while i < m.count {
                let bits = rng.next()
                if bits & 0xFFFF_FFFF < threshold { m[i] = scale }
                if i + 1 < m.count, bits >> 32 < threshold { m[i + 1] = scale }
                i += 2
            }
        }
        trainingGenerator = rng
        return record(value(x).hadamard(mask), inputs: [x]) { t, g in
            t.accumulate(g.hadamard(mask), into: x)
        }
    }
}
