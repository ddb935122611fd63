/// Named bundles of `train` options (`preset=NAME`), so a user gets a tuned
/// model in one command. Explicit options always win over the preset's:
/// `train gcn preset=best epochs=5` is the preset with 5 epochs.
///
/// `best` (gcn only): the settings with the best validation NDCG@10 on
/// `split warm seed=0` among those tried for GCN with ID embeddings (README,
/// "GCN quality"): features + IDs, sampled-softmax loss over 200 negatives,
/// each batch's positives hidden from message passing, dropout 0.3 on the ID
/// embeddings and the hidden layer, a moving average of the weights (decay
/// 0.99), Adam weight decay 3e-4, lr 1e-3, early stopping on validation,
/// Glorot init (the init it was tuned with).
///
/// `cold` (gcn, gat): for users the model never saw (`split cold`), chosen
/// on the validation users of `split cold seed=0` only (README, "Cold
/// start"): features without IDs, a learned item bias (popularity prior),
/// half of each batch's users trained as new users, the sampled-softmax loss
/// over 100 negatives, epochs chosen on the (cold) validation users.
public enum TrainPreset: String, Sendable, CaseIterable {
    case best
    case cold

    /// The options this preset sets for `kind`, or nil when it has none for that kind.
    public func options(for kind: String) -> [String: String]? {
        switch (self, kind) {
        case (.best, "gcn"):
            return ["ids": "on", "features": "on", "init": "glorot", "loss": "softmax", "negatives": "200",
                    "holdout": "on", "dropout": "0.3", "ema": "0.99", "weight-decay": "0.0003", "lr": "0.001",
                    "epochs": "100", "patience": "5"]
        case (.cold, "gcn"), (.cold, "gat"):
            return ["features": "on", "ids": "off", "bias": "on", "cold-share": "0.5", "loss": "softmax", "negatives": "100",
                    "epochs": "30", "patience": "5"]
        default:
            return nil
        }
    }

    /// `options` with `preset=` expanded: the preset's values first, then every
    /// option given explicitly on top; `preset` itself stays so it is recorded.
    /// Without `preset=` the options come back unchanged.
    public static func expand(_ options: OptionValues, kind: String, command: String = "train") throws -> OptionValues {
        guard let name = options["preset"], name != "none" else { return options }
        guard let preset = TrainPreset(rawValue: name) else {
            throw RecError("preset: expected one of \(allCases.map(\.rawValue).joined(separator: "|")), got '\(name)'")
        }
        guard let values = preset.options(for: kind) else {
            throw RecError("preset: '\(name)' is defined for \(kindsWith(preset).joined(separator: ", ")) only, not \(kind)")
        }
        var merged = values
        for (key, value) in options.values { merged[key] = value }
        return OptionValues(merged)
    }

    /// The model kinds `preset` has settings for.
    static func kindsWith(_ preset: TrainPreset) -> [String] {
        ModelRegistry.names.filter { preset.options(for: $0) != nil }
    }
}
