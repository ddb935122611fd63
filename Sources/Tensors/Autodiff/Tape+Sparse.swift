/// Sparse and indexed ops: products with a fixed `SparseOperator`, row
/// gathers and the fused gathered-row dot used to score (user, item) pairs.
extension Tape {
    /// A x for a fixed sparse A (mean aggregation, LightGCN propagation).
    /// Backward: dx = Aᵀ g through the operator's stored transpose.
    public func spmm(_ op: SparseOperator, _ x: Variable) -> Variable {
        precondition(op.cols == x.rows, "spmm: \(op.rows)x\(op.cols) * \(x.rows)x\(x.cols)")
        return record(op.times(value(x)), inputs: [x]) { t, g in
            t.accumulate(op.transposeTimes(g), into: x)
        }
    }

    /// The rows of x at `indices`, in order (repeats allowed). Backward: scatter-add.
    public func gatherRows(_ x: Variable, _ indices: [Int32]) -> Variable {
        record(value(x).gatherRows(indices), inputs: [x]) { t, g in
            t.accumulateInPlace(into: x) { $0.scatterAddRows(g, at: indices) }
        }
    }

    /// out_k = a.row(ia[k]) . b.row(ib[k]), an n x 1 column, without copying
    /// the gathered rows (scores of user-item pairs).
    public func gatheredRowDot(_ a: Variable, _ ia: [Int32], _ b: Variable, _ ib: [Int32]) -> Variable {
        let av = value(a), bv = value(b)
        return record(GatheredRowDot.forward(av, ia, bv, ib), inputs: [a, b]) { t, g in
            t.accumulateInPlace(into: a) { GatheredRowDot.accumulate(into: &$0, ia, g: g, other: bv, ib) }
            t.accumulateInPlace(into: b) { GatheredRowDot.accumulate(into: &$0, ib, g: g, other: av, ia) }
        }
    }
}
