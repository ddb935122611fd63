/// Reductions to a 1 x 1 scalar: what a loss ends in.
extension Tape {
    /// Sum of all elements (accumulated in Double), 1 x 1.
    public func sum(_ a: Variable) -> Variable {
        let s = Float(value(a).sum())
        return record(Matrix(rows: 1, cols: 1, repeating: s), inputs: [a]) { t, g in
            t.accumulate(Matrix(rows: a.rows, cols: a.cols, repeating: g.storage[0]), into: a)
        }
    }

    /// Mean of all elements, 1 x 1.
    public func mean(_ a: Variable) -> Variable {
        let n = Float(max(a.rows * a.cols, 1))
        let s = Float(value(a).sum()) / n
        return record(Matrix(rows: 1, cols: 1, repeating: s), inputs: [a]) { t, g in
            t.accumulate(Matrix(rows: a.rows, cols: a.cols, repeating: g.storage[0] / n), into: a)
        }
    }
}
