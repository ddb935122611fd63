import GraphRec

/// `train`'s (and `compare seeds=`'s) way into `ModelRegistry.fit`: the
/// library's errors get the command and model in front, and the fit becomes
/// the session's `TrainedModel`.
enum ModelFitting {
    /// Kinds `train` names but this build cannot fit, with the reason.
    static let unavailable: [String: String] = [:]

    struct Outcome {
        var model: TrainedModel
        var fitted: ModelRegistry.Fitted
    }

    /// Trains `kind` as `name` on `graph` (the train graph of `split`) with the options as typed.
    static func fit(kind: String, name: String, options typed: OptionValues, split: Split, graph: InteractionGraph,
                    presets: [NamedPreset] = [], control: RunControl) throws -> Outcome {
        if let reason = unavailable[kind] { throw ShellError.message("train \(reason)") }
        let options: OptionValues
        do { options = OptionValues(try NamedPreset.expand(typed.values, kind: kind, presets: presets)) } catch let error as RecError {
            throw ShellError.message("train \(kind): \(error.message)")
        }
        let fitted: ModelRegistry.Fitted
        do {
            fitted = try ModelRegistry.fit(kind, options: options.values, split: split, graph: graph, control: control)
        } catch let error as RecError {
            throw ShellError.message("train \(kind): \(error.message)")
        }
        return Outcome(model: trainedModel(name: name, fitted), fitted: fitted)
    }

    /// A fit as the session keeps it.
    static func trainedModel(name: String, _ fitted: ModelRegistry.Fitted) -> TrainedModel {
        TrainedModel(name: name, recommender: fitted.recommender, options: fitted.options.text,
                     history: fitted.history, scorer: fitted.scorer,
                     lastMetrics: fitted.validation?.mean.named ?? [:],
                     lastMetricsOn: fitted.validation == nil ? nil : "val@10")
    }

    /// A model's recorded options, typed by its kind's declarations (as text for a kind this build does not know).
    static func typedOptions(_ model: TrainedModel) -> [(String, Value)] {
        guard let kind = try? ModelRegistry.kind(model.kind),
              let typed = try? kind.parse(model.options.filter { key, _ in kind.options.contains { $0.name == key } }) else {
            return model.options.keys.sorted().map { ($0, .string(model.options[$0] ?? "")) }
        }
        return typed.names.compactMap { name in typed[name].map { (name, value($0)) } }
    }

    static func value(_ v: OptionValue) -> Value {
        switch v {
        case .int(let i): .int(i)
        case .number(let d): .double(d)
        case .flag(let b): .bool(b)
        case .word(let w): .string(w)
        case .off: .string("off")
        }
    }

    /// The options of `model` that differ from its kind's defaults, as `key=value` text.
    static func changedOptions(_ model: TrainedModel) -> [String] {
        guard let kind = try? ModelRegistry.kind(model.kind),
              let typed = try? kind.parse(model.options.filter { key, _ in kind.options.contains { $0.name == key } }) else {
            return model.options.keys.sorted().map { "\($0)=\(model.options[$0] ?? "")" }
        }
        return typed.changed.map { "\($0.name)=\($0.value)" }
    }
}
