import Tensors

/// Pairwise ranking losses over (positive, sampled negative) score pairs,
/// averaged over all pairs of a batch.
///
/// - BPR: `-ln sigmoid(y_ui - y_uj)`
/// - margin: `max(0, margin + y_uj - y_ui)`
/// - softmax: `ln(1 + Σ_j e^{y_uj - y_ui})` over each positive's n negatives
///   together (`SampledSoftmaxLoss.swift`). Not in the seed; offered because
///   it ranks better than BPR.
public enum PairwiseLoss: String, Sendable, CaseIterable, Codable {
    case bpr, margin, softmax

    /// The mean loss of `positive` (one score per pair, n x 1) against `negative` (n x 1);
    /// `group` is how many consecutive pairs share a positive (softmax scores them together).
    public func apply(_ tape: Tape, positive: Variable, negative: Variable, margin: Float, group: Int = 1) -> Variable {
        let difference = tape.sub(positive, negative)          // y_ui - y_uj
        switch self {
        case .bpr:
            return tape.scale(tape.mean(tape.logSigmoid(difference)), -1)
        case .margin:
            return tape.mean(tape.relu(tape.addScalar(tape.scale(difference, -1), margin)))
        case .softmax:      // with group 1, equal to BPR
            return tape.sampledSoftmaxLoss(tape.scale(difference, -1), group: group)
        }
    }
}
