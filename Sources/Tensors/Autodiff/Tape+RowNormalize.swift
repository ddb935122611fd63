import Foundation

/// Row-wise L2 normalisation: cosine scores as dot products.
extension Tape {
    /// Each row divided by its L2 norm and multiplied by `scale`,
    ///
    ///     y_i = s x_i / max(|x_i|, eps),
    ///
    /// so y_u . y_m = s^2 cos(x_u, x_m). Backward, with x̂_i = x_i / |x_i|:
    /// dx_i = s (g_i - x̂_i (g_i . x̂_i)) / |x_i| (the part of g along the row
    /// is removed: a row's length does not reach the output). A row shorter
    /// than `eps` is divided by `eps` instead, and passes g s / eps back.
    public func rowNormalized(_ a: Variable, scale s: Float = 1, eps: Float = 1e-8) -> Variable {
        let (out, norms) = value(a).rowsNormalized(scale: s, eps: eps)
        let (n, c) = (out.rows, out.cols)
        return record(out, inputs: [a]) { t, g in
            // With y = s x̂: dx_i = (s g_i - y_i (g_i . y_i) / s) / |x_i|.
            var d = g
            d.storage.withUnsafeMutableBufferPointer { pd in
                out.storage.withUnsafeBufferPointer { py in
                    norms.storage.withUnsafeBufferPointer { pn in
                        for i in 0..<n where c > 0 {
                            let gi = pd.baseAddress! + i &* c, yi = py.baseAddress! + i &* c
                            let along = pn[i] > eps ? RowKernels.dot(gi, yi, c) / (s * s) : 0
                            let f = s / pn[i]
                            for j in 0..<c { gi[j] = (gi[j] - yi[j] * along) * f }
                        }
                    }
                }
            }
            t.accumulate(d, into: a)
        }
    }
}

extension Matrix {
    /// Each row times `scale / max(|row|, eps)`, and the divisors as an n x 1 column
    /// (`Tape.rowNormalized`; inference code calls it directly).
    public func rowsNormalized(scale s: Float = 1, eps: Float = 1e-8) -> (rows: Matrix, norms: Matrix) {
        let (n, c) = (rows, cols)
        var norms = Matrix(rows: n, cols: 1)
        var out = self
        out.storage.withUnsafeMutableBufferPointer { po in
            norms.storage.withUnsafeMutableBufferPointer { pn in
                for i in 0..<n where c > 0 {
                    let row = po.baseAddress! + i &* c
                    let norm = max(RowKernels.dot(row, row, c).squareRoot(), eps)
                    pn[i] = norm
                    let f = s / norm
                    for j in 0..<c { row[j] *= f }
                }
            }
        }
        return (out, norms)
    }
}
