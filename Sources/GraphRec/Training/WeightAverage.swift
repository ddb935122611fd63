import Tensors

/// An exponential moving average of the weights over training steps
/// (`ema=DECAY`): `avg = decay * avg + (1 - decay) * w` after every Adam step.
///
/// Why: with dropout and sampled negatives the weights of any single step
/// are noisy, and so is the validation metric that picks the best epoch; the
/// average over the last ~1/(1 - decay) steps is a smoother model (Polyak
/// averaging). When it is on, the trainer validates and keeps the average.
struct WeightAverage {
    let decay: Float
    private(set) var parameters: [String: Matrix]

    /// Starts at `parameters` (the weights after the first step).
    init(decay: Float, parameters: [String: Matrix]) {
        precondition((0..<1).contains(decay), "ema: decay \(decay) must be in [0, 1)")
        self.decay = decay
        self.parameters = parameters
    }

    mutating func update(with weights: [String: Matrix]) {
        for (name, w) in weights {
            parameters[name]!.scale(by: decay)
            parameters[name]!.addScaled(w, 1 - decay)
        }
    }
}
