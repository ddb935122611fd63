import GraphRec

/// Training models and listing them.
public enum ModelCommands {
    /// Every model kind `train` names: the registry's, then those this build lacks.
    public static var modelKinds: [String] { ModelRegistry.names + ModelFitting.unavailable.keys.sorted() }

    public static let specs = CommandSpec.group("Models", [
        CommandSpec(name: "train",
            summary: "Train a model on the split's train graph; Ctrl-C stops and keeps the best model so far.",
            details: """
                MODEL is one of \(modelKinds.joined(separator: ", ")). 'as NAME' names it (default: MODEL);
                a model with the same name is replaced. Defaults are the seed study's hyperparameters.
                Kinds with a loss curve train by epochs: validation NDCG@10 is measured each epoch when the
                split has validation edges (with patience= and none, 10% of each user's train positives is
                held out, seeded), and the best epoch's weights are kept.
                Options are checked per model:
                \(kindLines)

                preset=best (gcn) sets \(presetText(.best)); for lightgcn \(presetText(.best, kind: "lightgcn"))
                (both chosen on validation NDCG@10 of 'split warm seed=0'); any option you give explicitly
                overrides it, e.g.
                'train gcn as best preset=best' or 'train gcn preset=best epochs=30 patience=off'.
                preset=cold (gcn, gat) sets \(presetText(.cold))\(coldPresetGATDifference()):
                for users the model never saw (chosen on validation NDCG@10 of 'split cold seed=0').
                """,
            arguments: [ArgumentSpec("MODEL", "model kind", values: modelKinds),
                        ArgumentSpec("NAME", "name for the trained model", required: false, keyword: "as")],
            options: modelOptionSpecs, usageOptions: 0, requires: [.dataset, .split],
            example: "train gcn as gcn-margin loss=margin epochs=15", handler: train).optionsApplying(kindTakes),
        CommandSpec(name: "models",
            summary: "Trained models with their settings and last metrics.",
            example: "models", handler: models),
    ])

    static func train(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let kind = command.argument(0) ?? ""
        let name = try modelName(command, defaultName: kind)
        guard modelKinds.contains(kind) else {
            throw ShellError.message("train: unknown model '\(kind)' (known: \(modelKinds.joined(separator: ", ")))")
        }
        if let reason = ModelFitting.unavailable[kind] { throw ShellError.message("train \(reason)") }
        let split = try session.requireSplit("train"), graph = try session.requireGraph("train")
        let outcome = try ModelFitting.fit(kind: kind, name: name, options: command.options, split: split,
                                           graph: graph, presets: session.presets, control: context.run)
        session.store(outcome.model)
        return trainResult(outcome, firstUser: session.dataset?.users.first?.id)
    }

    /// Every model option as `train` and `tune` take it; `preset=` also takes the names of the session's own presets.
    static var modelOptionSpecs: [OptionSpec] {
        ModelRegistry.sharedOptions.map { o in
            OptionSpec(o.name, o.name == "preset" ? "NAME" : o.type.placeholder, default: o.defaultText,
                       o.name == "preset" ? o.help + "; or a preset made by 'tune ... as NAME'" : o.help,
                       values: o.type.words, closed: o.name == "preset" ? false : nil)
        }
    }

    /// Whether `option` applies to model kind `kind`: a model option only when
    /// the kind declares it; any other option (`trials=` of `tune`) always.
    @Sendable static func kindTakes(_ kind: String, _ option: String) -> Bool {
        guard let declared = try? ModelRegistry.kind(kind).options,
              ModelRegistry.sharedOptions.contains(where: { $0.name == option }) else { return true }
        return declared.contains { $0.name == option }
    }

    /// One line per kind: its name, what it is and the options it takes.
    static var kindLines: String {
        ModelRegistry.kinds.map { "  \($0.name): \($0.summary); \($0.options.map(\.name).joined(separator: " "))" }
            .joined(separator: "\n")
    }

    /// The name after `as` in `train KIND as NAME` / `tune KIND as NAME`, else `defaultName`.
    static func modelName(_ command: ParsedCommand, defaultName: String) throws -> String {
        guard let name = command.keyword("as") else { return defaultName }
        guard name.first?.isLetter == true, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ShellError.message("\(command.name): model name '\(name)' must start with a letter and use letters, digits, - _ .")
        }
        return name
    }

    /// " (gat: all but K, ...)" for the keys `preset=cold` sets for gcn and not for gat; empty when none.
    static func coldPresetGATDifference() -> String {
        let gat = Set((TrainPreset.cold.options(for: "gat") ?? [:]).keys)
        let only = (TrainPreset.cold.options(for: "gcn") ?? [:]).keys.filter { !gat.contains($0) }.sorted()
        return only.isEmpty ? "" : " (gat: all but \(only.joined(separator: ", ")))"
    }

    /// A preset for gcn as `key=value` text, for the help.
    static func presetText(_ preset: TrainPreset, kind: String = "gcn") -> String {
        (preset.options(for: kind) ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            .joined(separator: " ")
    }

    /// `firstUser`: a user id the hints can name.
    static func trainResult(_ outcome: ModelFitting.Outcome, firstUser: NodeID?) -> CommandResult {
        let model = outcome.model, h = model.history, fitted = outcome.fitted
        let epochs = h.epochs
        let perEpoch = epochs > 0 ? h.totalSeconds / Double(epochs) : 0
        var blocks: [CommandResult.Block] = []
        if !h.loss.isEmpty {
            let rows: [[Value]] = (0..<epochs).map { e in
                let mark = e + 1 == h.bestEpoch && !h.validationNDCG.isEmpty ? "*" : ""
                return [.int(e + 1), .double(h.loss[e]),
                        e < h.validationNDCG.count ? .double(h.validationNDCG[e]) : .null,
                        .double(e < h.epochSeconds.count ? h.epochSeconds[e] : 0), .string(mark)]
            }
            blocks.append(.table(Table(
                name: "epochs", title: "\(model.name) (\(model.kind)): training",
                columns: [.init("epoch", .integer), .init("loss", .number(decimals: 4)),
                          .init("val ndcg@10", .number(decimals: 4)), .init("seconds", .number(decimals: 2)),
                          .init("kept")],
                rows: rows)))
        }
        var fields: [(String, Value)] = [
            ("model", .string(model.name)), ("kind", .string(model.kind)), ("epochs", .int(epochs)),
            ("seconds", .double(fitted.seconds)), ("seconds_per_epoch", .double(perEpoch)),
            ("final_loss", h.loss.last.map(Value.double) ?? .null),
            ("val", fitted.validation.map { metricsValue($0.mean.named) } ?? .null),
            ("validation", .string(fitted.validationSource.description)),
            ("best_epoch", .int(h.bestEpoch)), ("stopped_early", .bool(h.stoppedEarly)),
            ("interrupted", .bool(h.interrupted)),
            ("options", .object(ModelFitting.typedOptions(model))),
        ]
        var shown: [(String, Value)] = [
            ("model", .string(model.name)), ("kind", .string(model.kind)), ("epochs", .int(epochs)),
            ("seconds", .string(Value.fixed(fitted.seconds, decimals: 2))),
            ("seconds/epoch", .string(Value.fixed(perEpoch, decimals: 3))),
        ]
        if let v = fitted.validation {
            shown.append(("val@10", .string("P \(Value.fixed(v.precision, decimals: 4))  R \(Value.fixed(v.recall, decimals: 4))"
                + "  NDCG \(Value.fixed(v.ndcg, decimals: 4))  MRR \(Value.fixed(v.mrr, decimals: 4))")))
        }
        blocks.append(.fields(shown))
        var notes = fitted.notes
        if h.interrupted {
            notes.append("interrupted at epoch \(epochs + 1); kept epoch \(h.bestEpoch)")
        } else if h.stoppedEarly {
            notes.append("stopped early at epoch \(epochs) (patience); kept epoch \(h.bestEpoch)")
        }
        let lossCurve = (try? ModelRegistry.kind(model.kind).capabilities.lossCurve) == true
        if h.interrupted { fields.append(("note", .string(notes[fitted.notes.count]))) }
        if !fitted.notes.isEmpty { fields.append(("input_note", .string(fitted.notes.joined(separator: " ")))) }
        return CommandResult(command: "train", blocks: blocks, payload: fields, notes: notes,
                             hints: ["eval \(model.name)"]
                                 + (firstUser.map { ["recommend \($0) model=\(model.name)"] } ?? [])
                                 + (lossCurve && !h.loss.isEmpty ? ["plot loss model=\(model.name)"] : []))
    }

    /// A metrics dictionary as a JSON object in a fixed key order.
    static func metricsValue(_ m: [String: Double]) -> Value {
        .object(metricNames.compactMap { key in m[key].map { (key, .double($0)) } })
    }

    static let metricNames = ["precision", "recall", "ndcg", "mrr", "mrr_full", "hit_rate", "map"]

    static func models(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        guard !session.models.isEmpty else {
            return CommandResult(command: "models", payload: [("models", .array([]))],
                                 notes: ["no trained models yet"], hints: ShellHints.next(session))
        }
        var rows: [[Value]] = []
        var objects: [Value] = []
        for m in session.models {
            let changed = ModelFitting.changedOptions(m)
            let settings = changed.isEmpty ? "defaults" : changed.joined(separator: " ")
            let metric: (String) -> Value = { m.lastMetrics[$0].map(Value.double) ?? .null }
            rows.append([.string(m.name), .string(m.kind), .string(settings), .int(m.history.epochs),
                         .double(m.history.totalSeconds), .string(m.lastMetricsOn ?? ""),
                         metric("precision"), metric("recall"), metric("ndcg"), metric("mrr")])
            objects.append(.object([
                ("name", .string(m.name)), ("kind", .string(m.kind)),
                ("options", .object(ModelFitting.typedOptions(m))),
                ("epochs", .int(m.history.epochs)), ("best_epoch", .int(m.history.bestEpoch)),
                ("seconds", .double(m.history.totalSeconds)),
                ("on", m.lastMetricsOn.map(Value.string) ?? .null),
                ("metrics", m.lastMetrics.isEmpty ? .null : metricsValue(m.lastMetrics)),
            ]))
        }
        let table = Table(name: "models", title: "trained models",
                          columns: [.init("name"), .init("kind"), .init("settings (non-default)"),
                                    .init("epochs", .integer), .init("train s", .number(decimals: 2)),
                                    .init("metrics on"), .init("P", .number(decimals: 4)), .init("R", .number(decimals: 4)),
                                    .init("NDCG", .number(decimals: 4)), .init("MRR", .number(decimals: 4))],
                          rows: rows)
        return CommandResult(command: "models", blocks: [.table(table)], payload: [("models", .array(objects))])
    }
}
