/// Named bundles of `train` options (`preset=NAME`), so a user gets a tuned
/// model in one command. Explicit options always win over the preset's:
/// `train gcn preset=best epochs=5` is the preset with 5 epochs.
///
/// `best` (gcn, lightgcn): for gcn, the settings with the best validation NDCG@10 on
/// `split warm seed=0` among those tried for GCN with ID embeddings (README,
/// "GCN quality"): features + IDs, sampled-softmax loss over 200 negatives,
/// each batch's positives hidden from message passing, dropout 0.3 on the ID
/// embeddings and the hidden layer, a moving average of the weights (decay
/// 0.99), Adam weight decay 3e-4, early stopping on validation, Glorot init
/// (the init it was tuned with); then lr 3e-3 and output width 128, chosen
/// with features off too (ID embeddings alone, what a data set without user
/// features leaves): val 0.2464 -> 0.2510 with features, 0.2371 -> 0.2431
/// without. For lightgcn, the
/// sampled-softmax loss over 200 negatives with early stopping (validation
/// NDCG@10 0.2478 on `split warm seed=0` against 0.2349 with the defaults);
/// `tune lightgcn` starts from it.
///
/// `cold` (gcn, gat): for users the model never saw (`split cold`), chosen
/// on the validation users of `split cold seed=0` only (README, "Cold
/// start"): features without IDs, an item bias (popularity prior),
/// half of each batch's users trained as new users, the sampled-softmax loss
/// over 100 negatives, dropout 0.3 on the hidden layer (gcn: a new user's
/// vector is a small MLP of age, gender and occupation, and without dropout
/// it fits the training users' individual tastes), the epoch chosen on the
/// (cold) validation users with patience 10 of at most 60, the feature bias
/// at its fit to the train likes and kept there (`feature-bias=fixed`:
/// popularity per age, gender and occupation, which the GNNs did not learn
/// by themselves, with the item bias fitted beside it) and lr 3e-5: on cold
/// validation users every GNN epoch after the first lowered NDCG@10, and the
/// smaller step keeps what the prior gives. The GCN's output is 16 wide
/// (gcn only): its nearly untrained dot product is noise around the prior,
/// and the narrower one did better on seed 0 validation (README, "Cold start").
public enum TrainPreset: String, Sendable, CaseIterable {
    case best
    case cold

    /// The options this preset sets for `kind`, or nil when it has none for that kind.
    public func options(for kind: String) -> [String: String]? {
        switch (self, kind) {
        case (.best, "gcn"):
            return ["ids": "on", "features": "on", "init": "glorot", "loss": "softmax", "negatives": "200",
                    "holdout": "on", "dropout": "0.3", "ema": "0.99", "weight-decay": "0.0003", "lr": "0.003",
                    "dim": "128", "epochs": "100", "patience": "5"]
        case (.best, "lightgcn"):
            return ["loss": "softmax", "negatives": "200", "epochs": "100", "patience": "5"]
        case (.cold, "gcn"):
            return Self.coldCommon.merging(["dropout": "0.3", "dim": "16"]) { _, new in new }
        case (.cold, "gat"):    // GAT has no dropout option
            return Self.coldCommon
        default:
            return nil
        }
    }

    /// What `cold` sets for both feature GNNs.
    static let coldCommon = ["features": "on", "ids": "off", "bias": "on", "cold-share": "0.5", "loss": "softmax",
                             "negatives": "100", "epochs": "60", "patience": "10", "feature-bias": "fixed", "lr": "0.00003"]

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

/// A preset a user made (`tune MODEL as NAME` keeps the winner's settings
/// under NAME): `train KIND preset=NAME` trains with them, explicit options
/// on top. Saved with the session.
public struct NamedPreset: Codable, Sendable, Equatable {
    public var name: String
    /// The model kind the options belong to.
    public var kind: String
    /// The options as typed, those that differ from the kind's defaults.
    public var options: [String: String]
    /// Validation NDCG@10 the settings reached where they were chosen.
    public var validationNDCG: Double?

    public init(name: String, kind: String, options: [String: String], validationNDCG: Double? = nil) {
        self.name = name
        self.kind = kind
        self.options = options
        self.validationNDCG = validationNDCG
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, options, validationNDCG = "validation_ndcg"
    }

    /// Names a user preset may not take: the built-in ones and `none`.
    public static var reservedNames: [String] { ["none"] + TrainPreset.allCases.map(\.rawValue) }

    /// `options` with `preset=NAME` replaced by the options of the user preset
    /// NAME (explicit options win), or unchanged when `preset=` is absent or
    /// built in. The preset must be for `kind`.
    public static func expand(_ options: [String: String], kind: String, presets: [NamedPreset]) throws -> [String: String] {
        guard let name = options["preset"], !reservedNames.contains(name) else { return options }
        guard let preset = presets.first(where: { $0.name == name }) else {
            let known = reservedNames.dropFirst() + presets.map(\.name)
            throw RecError("preset: no preset named '\(name)' (known: \(known.joined(separator: ", ")))")
        }
        guard preset.kind == kind else {
            throw RecError("preset: '\(name)' holds \(preset.kind) settings, not \(kind)")
        }
        var merged = preset.options
        for (key, value) in options where key != "preset" { merged[key] = value }
        return merged
    }
}
