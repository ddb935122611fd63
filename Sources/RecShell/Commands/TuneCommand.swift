import Foundation
import GraphRec

/// `tune MODEL`: a seeded search over the options the model kind declares,
/// on validation NDCG@10 (`Tuner`); the winner is kept as a model and as a
/// preset of the same name.
public enum TuneCommand {
    public static let specs = CommandSpec.group("Models", [
        CommandSpec(name: "tune",
            summary: "Search a model's options on validation NDCG@10; keep the best as a model and a preset.",
            details: """
                Searches the options MODEL declares with a search range (help train lists them; options you
                give are held fixed). The first trials are where it starts: preset=best where MODEL has it
                (with your options on top), then the options as given; they run to the end, so the winner is
                never below them. Then two of every three trials step from the best so far and the third is a
                random draw on each option's scale. Kinds trained by epochs get
                epochs=\(Tuner.epochDefaults["epochs"] ?? "") patience=\(Tuner.epochDefaults["patience"] ?? "") unless given; a trial stops from epoch 2 when
                under \(Int(Tuner.clearlyWorseShare * 100))% of the leader's best by the same epoch, and after 3 epochs when below the
                median of the earlier ones. Without validation edges
                \(ModelRegistry.carvedPercent)% of each user's train positives is held out (seeded) to search on.
                A row prints as each trial finishes; Ctrl-C keeps the best so far. The winner is stored as
                model NAME (default MODEL-tuned) and as preset NAME: 'train MODEL preset=NAME seed=1' retrains
                it, and 'save' keeps the preset with the session. Same seed=, same trials.
                """,
            arguments: [ArgumentSpec("MODEL", "model kind", values: ModelRegistry.names),
                        ArgumentSpec("NAME", "name of the kept model and preset", required: false, keyword: "as")],
            options: [OptionSpec("trials", "N", default: "20", "at most N trials"),
                      OptionSpec("minutes", "X", default: "30", "no trial starts after X minutes; the running one stops there")]
                + ModelCommands.modelOptionSpecs,
            usageOptions: 2, requires: [.dataset, .split],
            example: "tune lightgcn trials=12 minutes=20", handler: tune).optionsApplying(ModelCommands.kindTakes),
    ])

    static func tune(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let kind = command.argument(0) ?? ""
        guard ModelRegistry.names.contains(kind) else {
            throw ShellError.message("tune: unknown model '\(kind)' (known: \(ModelRegistry.names.joined(separator: ", ")))")
        }
        let name = try ModelCommands.modelName(command, defaultName: "\(kind)-tuned")
        guard !NamedPreset.reservedNames.contains(name) else {
            throw ShellError.message("tune: '\(name)' is a built-in preset name; choose another with 'as NAME'")
        }
        let split = try session.requireSplit("tune"), graph = try session.requireGraph("tune")
        var fixed = command.options.values
        let trials = try int(fixed.removeValue(forKey: "trials") ?? "20", "trials", 1...10_000)
        let minutes = try number(fixed.removeValue(forKey: "minutes") ?? "30", "minutes")
        let seed = try int(fixed["seed"] ?? "0", "seed", 0...Int.max)
        let result: TuneResult
        do {
            // A preset of the user's is where the search starts, not a setting it must keep.
            var start: [String: String] = [:]
            if let preset = fixed["preset"], !NamedPreset.reservedNames.contains(preset) {
                start = try NamedPreset.expand(["preset": preset], kind: kind, presets: session.presets)
                fixed["preset"] = nil
            }
            try TrainingCost.check(kind: kind, options: OptionValues(start.merging(fixed) { $1 }), graph: graph,
                                   budget: context.run.budget)
            let request = TuneRequest(kind: kind, fixed: fixed, start: start, trials: trials, minutes: minutes,
                                      seed: UInt64(seed))
            var header = false
            result = try Tuner.run(request, split: split, graph: graph, control: context.run, onTrial: { trial in
                if !header { context.run.log(progressHeader); header = true }
                context.run.log(progressRow(trial))
            })
        } catch let error as RecError {
            throw ShellError.message("tune \(kind): \(error.message)")
        }
        guard let best = result.best, let winner = result.bestTrial else {
            var reason = result.stoppedBy == "interrupted" ? "interrupted before a trial finished" : "no trial trained"
            if case .failed(let why)? = result.trials.last?.outcome { reason += " (last: \(why))" }
            throw ShellError.message("tune \(kind): \(reason); nothing kept")
        }
        let model = ModelFitting.trainedModel(name: name, best)
        session.store(model)
        let presetOptions = presetText(winner.options)
        session.store(NamedPreset(name: name, kind: kind, options: presetOptions, validationNDCG: winner.ndcg))
        return render(result, winner: winner, model: model, preset: presetOptions)
    }

    /// A tuned model's settings as a preset: what differs from the defaults, less the seed (a preset is retrained on any).
    static func presetText(_ options: ModelOptions) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in options.changed where name != "seed" && name != "preset" { out[name] = value.description }
        return out
    }

    static func int(_ text: String, _ key: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let v = Int(text), range.contains(v) else {
            throw ShellError.message("tune: \(key): expected a whole number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return v
    }

    static func number(_ text: String, _ key: String) throws -> Double {
        guard let v = Double(text), v.isFinite, v > 0 else {
            throw ShellError.message("tune: \(key): expected a number above 0, got '\(text)'")
        }
        return v
    }

    // MARK: Output

    static let progressHeader = "trial  val ndcg@10  epochs  seconds  stop         settings"

    /// One row of the table that grows on stderr as trials finish.
    static func progressRow(_ t: TuneTrial) -> String {
        let ndcg = t.ndcg.map { Value.fixed($0, decimals: 4) } ?? "-"
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func left(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        return left("\(t.number)", 5) + "  " + left(ndcg, 11) + "  " + left("\(t.epochs)", 6) + "  "
            + left(Value.fixed(t.seconds, decimals: 1), 7) + "  " + pad(t.outcome.word, 11) + "  " + settings(t)
    }

    static func settings(_ t: TuneTrial) -> String {
        t.searched.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }

    static func render(_ result: TuneResult, winner: TuneTrial, model: TrainedModel, preset: [String: String]) -> CommandResult {
        let rows: [[Value]] = result.trials.map { t in
            [.int(t.number), t.ndcg.map(Value.double) ?? .null, .int(t.epochs), .int(t.bestEpoch), .double(t.seconds),
             .string(t.outcome.word), .string(t.number == winner.number ? "*" : ""), .string(settings(t))]
        }
        let table = Table(
            name: "trials", title: "tune \(result.kind): \(result.trials.count) trials on validation NDCG@10",
            columns: [.init("trial", .integer), .init("val ndcg@10", .number(decimals: 4)), .init("epochs", .integer),
                      .init("best epoch", .integer), .init("seconds", .number(decimals: 1)), .init("stop"),
                      .init("best"), .init("settings")],
            rows: rows)
        let trialObjects: [Value] = result.trials.map { t in
            var fields: [(String, Value)] = [
                ("trial", .int(t.number)), ("ndcg", t.ndcg.map(Value.double) ?? .null), ("epochs", .int(t.epochs)),
                ("best_epoch", .int(t.bestEpoch)), ("seconds", .double(t.seconds)), ("stop", .string(t.outcome.word)),
                ("options", .object(t.searched.map { ($0.name, ModelFitting.value($0.value)) })),
            ]
            if case .failed(let why) = t.outcome { fields.append(("error", .string(why))) }
            return .object(fields)
        }
        let presetLine = preset.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let fields: [(String, Value)] = [
            ("model", .string(model.name)), ("kind", .string(result.kind)), ("preset", .string(model.name)),
            ("best_trial", .int(winner.number)), ("ndcg", winner.ndcg.map(Value.double) ?? .null),
            ("trials", .array(trialObjects)), ("searched", .array(result.space.names.map(Value.string))),
            ("validation", .string(result.validationSource.description)),
            ("stopped_by", .string(result.stoppedBy)), ("seconds", .double(result.seconds)),
            ("options", .object(ModelFitting.typedOptions(model))),
        ]
        let shown: [(String, Value)] = [
            ("best", .string("trial \(winner.number): val NDCG@10 \(winner.ndcg.map { Value.fixed($0, decimals: 4) } ?? "-")")),
            ("kept as", .string("model \(model.name), preset \(model.name)")),
            ("preset", .string(presetLine.isEmpty ? "defaults" : presetLine)),
            ("stopped by", .string(result.stoppedBy)),
            ("seconds", .string(Value.fixed(result.seconds, decimals: 1))),
        ]
        var notes = ["validation: \(result.validationSource.description)"]
        if result.stoppedBy == "interrupted" { notes.append("interrupted: kept the best of \(result.trials.count) trials") }
        return CommandResult(command: "tune", blocks: [.table(table), .fields(shown)], payload: fields, notes: notes,
                             hints: ["eval \(model.name)", "train \(result.kind) preset=\(model.name) seed=1"])
    }
}
