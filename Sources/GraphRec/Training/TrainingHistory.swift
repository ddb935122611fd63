/// What happened while a model trained, kept for `plot loss` and saved
/// sessions. Closed-form models have one "epoch" and no loss curve.
public struct TrainingHistory: Sendable, Codable, Equatable {
    /// Mean training loss per epoch.
    public var loss: [Double] = []
    /// Validation NDCG@K per epoch, when a validation split existed.
    public var validationNDCG: [Double] = []
    /// Wall seconds per epoch.
    public var epochSeconds: [Double] = []
    /// The epoch (1-based) whose weights the model kept; 0 if not applicable.
    public var bestEpoch: Int = 0
    /// True when patience ran out before the last epoch.
    public var stoppedEarly: Bool = false
    /// True when the user pressed Ctrl-C during training.
    public var interrupted: Bool = false

    public init() {}

    public var epochs: Int { max(loss.count, epochSeconds.count) }
    public var totalSeconds: Double { epochSeconds.reduce(0, +) }
}
