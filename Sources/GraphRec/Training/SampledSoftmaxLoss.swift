import Foundation
import Tensors

/// Sampled-softmax ranking loss (`loss=softmax`): each positive competes with
/// its own n sampled negatives at once,
///
///     L = mean_k  -ln( e^{y_ui} / (e^{y_ui} + Σ_j e^{y_uj}) )  =  mean_k ln(1 + Σ_j e^{y_uj - y_ui})
///
/// With n = 1 it is BPR. Unlike BPR's mean over independent pairs, the
/// gradient concentrates on the negatives that outscore the positive (the
/// softmax weights), which is what top-K ranking rewards.
extension Tape {
    /// `d` holds y_uj - y_ui for B groups of `group` consecutive pairs (B*group x 1).
    public func sampledSoftmaxLoss(_ d: Variable, group: Int) -> Variable {
        let x = value(d)
        precondition(group > 0 && x.count % group == 0, "sampledSoftmaxLoss: \(x.count) pairs in groups of \(group)")
        let groups = x.count / group
        var weights = Matrix(rows: x.rows, cols: x.cols)   // softmax weight of each negative
        var total = 0.0
        for k in 0..<groups {
            let base = k * group
            var top: Float = 0                                     // the positive's own logit, 0
            for j in 0..<group { top = max(top, x.storage[base + j]) }
            var sum = expf(-top)
            for j in 0..<group { sum += expf(x.storage[base + j] - top) }
            total += Double(top + logf(sum))
            for j in 0..<group { weights.storage[base + j] = expf(x.storage[base + j] - top) / sum }
        }
        let out = Matrix(rows: 1, cols: 1, repeating: Float(total / Double(groups)))
        return record(out, inputs: [d]) { t, g in
            t.accumulate((g.storage[0] / Float(groups)) * weights, into: d)
        }
    }
}
