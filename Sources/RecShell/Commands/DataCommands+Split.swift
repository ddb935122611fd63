import Foundation
import GraphRec

/// `split`: warm, cold, official, files and seed-study splits of the positives.
extension DataCommands {
    static func split(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("split")
        let force = command.hasFlag("force")
        let kind = command.subcommand ?? "warm"
        let options = command.options
        let split: Split
        switch kind {
        case "warm", "cold":
            let ratios = try Split.parseRatios(options.string("ratios", default: "80/10/10"))
            let seed = try seedOption(options, default: session.settings.seed)
            split = kind == "warm"
                ? try Split.warm(positives: dataset.positives, ratios: ratios, seed: seed)
                : try Split.cold(positives: dataset.positives, ratios: ratios, seed: seed)
        case "seed-study":
            split = try Split.cold(positives: dataset.positives, ratios: [80, 10, 10],
                                   seed: try seedOption(options, default: session.settings.seed))
        case "official":
            split = try Split.official(command.argument(0) ?? "", dataset: dataset)
        default:
            split = try Split.files(train: options.string("train", default: ""), validation: options["val"],
                                    test: options.string("test", default: ""), dataset: dataset)
        }
        let dropped = session.models.map(\.name)
        if !dropped.isEmpty && !force && context.canAsk {
            throw ShellError.confirmation("split: this drops the trained models \(dropped.joined(separator: ", ")) "
                + "(trained on the current split); go ahead?")
        }
        session.split = split
        session.graph = dataset.graph(for: split)
        session.models = []
        let fields = splitFields(split)
        var result = CommandResult(command: "split", blocks: [.fields(fields)],
                                   payload: fields + [("dropped_models", .array(dropped.map(Value.string)))])
        if kind == "seed-study" {
            result.notes.append("the seed study's split: the same users as 'split cold ratios=80/10/10 seed=\(split.seed)'; "
                + "the validation and test users have no edge in the graph. Compare 'eval' with 'eval protocol=seed'.")
        }
        if !dropped.isEmpty {
            let message = "split: dropped the models trained on the previous split: \(dropped.joined(separator: ", "))"
            if context.canAsk { result.notes.append(message) } else { result.warnings.append(message) }
        }
        return result
    }

    /// `seed=N` as the full UInt64 range `set seed=` accepts, else the session's seed.
    static func seedOption(_ options: OptionValues, default value: UInt64, command: String = "split") throws -> UInt64 {
        guard let text = options["seed"] else { return value }
        guard let seed = UInt64(text) else {
            throw ShellError.message("\(command): seed=\(text) is not a whole number >= 0")
        }
        return seed
    }

    /// A UInt64 as a JSON number when it fits, else as its decimal text.
    static func seedValue(_ seed: UInt64) -> Value {
        seed <= UInt64(Int.max) ? .int(Int(seed)) : .string(String(seed))
    }

    /// The split's description and summary, shared by `split` and `info`.
    static func splitFields(_ split: Split) -> [(String, Value)] {
        let s = split.summary
        return [
            ("kind", .string(split.kind.description)),
            ("ratios", split.ratios.isEmpty ? .null : .string(split.ratios.map(String.init).joined(separator: "/"))),
            ("seed", seedValue(split.seed)), ("users", .int(s.users)), ("train_edges", .int(s.trainEdges)),
            ("val_edges", .int(s.validationEdges)), ("test_edges", .int(s.testEdges)),
            ("users_in_test", .int(s.usersInTest)), ("users_without_test", .int(s.usersWithoutTest)),
        ]
    }
}
