/// Dense linear algebra on the tape: products, sums, scaling, bias rows,
/// Hadamard products and column concatenation.
extension Tape {
    /// op(a) * op(b) through BLAS. Backward: dA = g op(b)ᵀ, dB = op(a)ᵀ g (transposed as needed).
    public func matmul(_ a: Variable, transposeA: Bool = false, _ b: Variable, transposeB: Bool = false) -> Variable {
        let av = value(a), bv = value(b)
        let out = BLAS.matmul(av, transposeA: transposeA, bv, transposeB: transposeB)
        return record(out, inputs: [a, b]) { t, g in
            if t.needsGradient(a) {
                // a = op⁻¹: dA = g * op(b)ᵀ, or (g * op(b)ᵀ)ᵀ = op(b) gᵀ when a was transposed.
                let da = transposeA ? BLAS.matmul(bv, transposeA: transposeB, g, transposeB: true)
                                    : BLAS.matmul(g, bv, transposeB: !transposeB)
                t.accumulate(da, into: a)
            }
            if t.needsGradient(b) {
                let db = transposeB ? BLAS.matmul(g, transposeA: true, av, transposeB: transposeA)
                                    : BLAS.matmul(av, transposeA: !transposeA, g)
                t.accumulate(db, into: b)
            }
        }
    }

    /// a + b (same shapes).
    public func add(_ a: Variable, _ b: Variable) -> Variable {
        record(value(a) + value(b), inputs: [a, b]) { t, g in
            t.accumulate(g, into: a)
            t.accumulate(g, into: b)
        }
    }

    /// a - b (same shapes).
    public func sub(_ a: Variable, _ b: Variable) -> Variable {
        record(value(a) - value(b), inputs: [a, b]) { t, g in
            t.accumulate(g, into: a)
            if t.needsGradient(b) { t.accumulate(-1 * g, into: b) }
        }
    }

    /// s * a.
    public func scale(_ a: Variable, _ s: Float) -> Variable {
        record(s * value(a), inputs: [a]) { t, g in t.accumulate(s * g, into: a) }
    }

    /// a + c elementwise for a constant scalar c.
    public func addScalar(_ a: Variable, _ c: Float) -> Variable {
        var out = value(a)
        for i in 0..<out.count { out.storage[i] += c }
        return record(out, inputs: [a]) { t, g in t.accumulate(g, into: a) }
    }

    /// a ⊙ b elementwise.
    public func mul(_ a: Variable, _ b: Variable) -> Variable {
        let av = value(a), bv = value(b)
        return record(av.hadamard(bv), inputs: [a, b]) { t, g in
            if t.needsGradient(a) { t.accumulate(g.hadamard(bv), into: a) }
            if t.needsGradient(b) { t.accumulate(g.hadamard(av), into: b) }
        }
    }

    /// a with the 1 x cols row `bias` added to every row. Backward: dbias = column sums of g.
    public func addRowBias(_ a: Variable, _ bias: Variable) -> Variable {
        var out = value(a)
        out.addRowBroadcast(value(bias))
        return record(out, inputs: [a, bias]) { t, g in
            t.accumulate(g, into: a)
            if t.needsGradient(bias) { t.accumulate(g.columnSums(), into: bias) }
        }
    }

    /// Columns side by side, [a | b | ...] (equal row counts).
    public func concatColumns(_ parts: [Variable]) -> Variable {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.rows == parts[0].rows }, "concatColumns needs equal row counts")
        let rows = parts[0].rows, widths = parts.map(\.cols), total = widths.reduce(0, +)
        var out = Matrix(rows: rows, cols: total)
        var offset = 0
        for (p, w) in zip(parts, widths) {
            let v = value(p)
            for r in 0..<rows {
                for c in 0..<w { out.storage[r * total + offset + c] = v.storage[r * w + c] }
            }
            offset += w
        }
        return record(out, inputs: parts) { t, g in
            var offset = 0
            for (p, w) in zip(parts, widths) {
                if t.needsGradient(p) {
                    var gp = Matrix(rows: rows, cols: w)
                    for r in 0..<rows {
                        for c in 0..<w { gp.storage[r * w + c] = g.storage[r * total + offset + c] }
                    }
                    t.accumulate(gp, into: p)
                }
                offset += w
            }
        }
    }

    /// Row-wise dot products, an n x 1 column: out_i = a_i . b_i.
    public func rowDot(_ a: Variable, _ b: Variable) -> Variable {
        let av = value(a), bv = value(b)
        return record(av.rowDot(bv), inputs: [a, b]) { t, g in
            if t.needsGradient(a) { t.accumulate(bv.scalingRows(by: g), into: a) }
            if t.needsGradient(b) { t.accumulate(av.scalingRows(by: g), into: b) }
        }
    }
}

/// Row stacking and slicing: node-space matrices are users stacked on movies.
extension Tape {
    /// Rows stacked, [a; b; ...] (equal column counts).
    public func concatRows(_ parts: [Variable]) -> Variable {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.cols == parts[0].cols }, "concatRows needs equal column counts")
        var storage: [Float] = []
        storage.reserveCapacity(parts.reduce(0) { $0 + $1.rows * $1.cols })
        for p in parts { storage += value(p).storage }
        let out = Matrix(rows: parts.reduce(0) { $0 + $1.rows }, cols: parts[0].cols, storage: storage)
        return record(out, inputs: parts) { t, g in
            var offset = 0
            for p in parts {
                let n = p.rows * p.cols
                if t.needsGradient(p) {
                    t.accumulate(Matrix(rows: p.rows, cols: p.cols, storage: Array(g.storage[offset..<(offset + n)])), into: p)
                }
                offset += n
            }
        }
    }

    /// Rows `range` of a, as a new variable. Backward: g lands in those rows.
    public func sliceRows(_ a: Variable, _ range: Range<Int>) -> Variable {
        precondition(range.lowerBound >= 0 && range.upperBound <= a.rows, "sliceRows \(range) of \(a.rows) rows")
        let c = a.cols
        let out = Matrix(rows: range.count, cols: c, storage: Array(value(a).storage[(range.lowerBound * c)..<(range.upperBound * c)]))
        return record(out, inputs: [a]) { t, g in
            t.accumulateInPlace(into: a) { m in
                m.storage.withUnsafeMutableBufferPointer { d in
                    g.storage.withUnsafeBufferPointer { s in
                        let base = range.lowerBound * c
                        for i in 0..<s.count { d[base + i] += s[i] }
                    }
                }
            }
        }
    }
}
