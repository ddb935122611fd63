import Tensors

/// Pairwise ranking losses over (positive, sampled negative) score pairs,
/// averaged over all pairs of a batch.
///
/// - BPR: `-ln sigmoid(y_ui - y_uj)`
/// - margin: `max(0, margin + y_uj - y_ui)`
public enum PairwiseLoss: String, Sendable, CaseIterable, Codable {
    case bpr, margin

    /// The mean loss of `positive` (one score per pair, n x 1) against `negative` (n x 1).
    public func apply(_ tape: Tape, positive: Variable, negative: Variable, margin: Float) -> Variable {
        let difference = tape.sub(positive, negative)          // y_ui - y_uj
        switch self {
        case .bpr:
            return tape.scale(tape.mean(tape.logSigmoid(difference)), -1)
        case .margin:
            return tape.mean(tape.relu(tape.addScalar(tape.scale(difference, -1), margin)))
        }
    }
}
