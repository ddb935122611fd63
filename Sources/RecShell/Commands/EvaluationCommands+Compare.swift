import Foundation
import GraphRec

/// `compare`: models side by side as trained, or retrained per seed through `Experiment`.
extension EvaluationCommands {
    // MARK: compare

    static func compare(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let dataset = try session.requireDataset("compare")
        let split = try session.requireSplit("compare"), graph = try session.requireGraph("compare")
        let models = try namedModels(session, command.arguments, command: "compare")
        let (part, k) = try part(command, session: session, movies: graph.movieCount)
        let outcome: Experiment.Outcome
        do {
            if let text = command.options["seeds"] {
                outcome = try Experiment.retrained(models.map(Experiment.Arm.init),
                                                   dataset: dataset, like: split, seeds: try parseSeeds(text),
                                                   on: part, k: k, control: context.run)
            } else {
                outcome = try Experiment.asTrained(models.map { ($0.name, $0.kind, $0.scorer) }, split: split,
                                                   graph: graph, on: part, k: k)
            }
        } catch let error as RecError {
            throw ShellError.message("compare: \(error.message)")
        }
        return compareResult(outcome, part: part, k: k)
    }

    static func parseSeeds(_ text: String) throws -> [UInt64] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var seeds: [UInt64] = []
        for p in parts {
            guard let v = UInt64(p) else { throw ShellError.message("seeds: expected whole numbers like 0,1,2, got '\(text)'") }
            if !seeds.contains(v) { seeds.append(v) }
        }
        guard !seeds.isEmpty, seeds.count <= 20 else { throw ShellError.message("seeds: give 1 to 20 seeds, got '\(text)'") }
        return seeds
    }

    static var metricKeys: [(key: String, label: String, path: KeyPath<UserMetrics, Double>)] {
        [("precision", "P", \.precision), ("recall", "R", \.recall), ("ndcg", "NDCG", \.ndcg), ("mrr", "MRR", \.mrr),
         ("mrr_full", "mrr_full", \.mrrFull), ("hit_rate", "HR", \.hitRate), ("map", "MAP", \.map)]
    }

    static func compareResult(_ outcome: Experiment.Outcome, part: Split.Part, k: Int) -> CommandResult {
        let seeds = outcome.seeds
        let withSeeds = !seeds.isEmpty
        var rows: [[Value]] = []
        var objects: [Value] = []
        for r in outcome.arms {
            var row: [Value] = [.string(r.name), .string(r.kind), .int(r.runs.count)]
            var object: [(String, Value)] = [("model", .string(r.name)), ("kind", .string(r.kind)), ("on", .string(part.rawValue)),
                                             ("k", .int(k)), ("runs", .int(r.runs.count))]
            for m in metricKeys {
                let (mean, std, values) = r.summary(m.path)
                row.append(.string(withSeeds ? "\(Value.fixed(mean, decimals: 4)) ± \(Value.fixed(std, decimals: 4))"
                                             : Value.fixed(mean, decimals: 4)))
                object.append((m.key, .double(mean)))
                if withSeeds {
                    object.append((m.key + "_std", .double(std)))
                    object.append((m.key + "_values", .array(values.map(Value.double))))
                }
            }
            rows.append(row)
            objects.append(.object(object))
        }
        let seedText = withSeeds ? "seeds \(seeds.map(String.init).joined(separator: ","))" : "as trained"
        let table = Table(name: "results", title: "compare on \(part.rawValue), K = \(k) (\(seedText))",
                          columns: [.init("model"), .init("kind"), .init("runs", .integer)]
                            + metricKeys.map { .init($0.key == "mrr_full" ? $0.label : $0.label + "@\(k)", .text) },
                          rows: rows)
        var blocks: [CommandResult.Block] = [.table(table)]
        var payload: [(String, Value)] = [("on", .string(part.rawValue)), ("k", .int(k)),
                                          ("seeds", .array(seeds.map { .int(Int($0)) })), ("results", .array(objects))]
        if outcome.arms.count > 1 {
            let testRows: [[Value]] = outcome.comparisons.map { c in
                let t = c.test
                return [.string(c.best), .string(c.other), .int(t.n), .double(t.meanDifference), .double(t.t),
                        .double(t.tTestP), .string("\(t.wins)/\(t.losses)/\(t.ties)"), .double(t.signTestP)]
            }
            let tests: [Value] = outcome.comparisons.map { c in
                let t = c.test
                return .object([
                    ("best", .string(c.best)), ("other", .string(c.other)),
                    ("seed", withSeeds ? .int(Int(seeds[0])) : .null), ("users", .int(t.n)),
                    ("mean_difference", .double(t.meanDifference)), ("t", .double(t.t)), ("t_test_p", .double(t.tTestP)),
                    ("wins", .int(t.wins)), ("losses", .int(t.losses)), ("ties", .int(t.ties)),
                    ("sign_test_p", .double(t.signTestP)),
                ])
            }
            if !testRows.isEmpty {
                let on = withSeeds ? "seed \(seeds[0])" : "the current split"
                blocks.append(.table(Table(
                    name: "significance", title: "paired tests on per-user NDCG@\(k) (\(on))",
                    columns: [.init("best"), .init("vs"), .init("users", .integer), .init("mean diff", .number(decimals: 4)),
                              .init("t", .number(decimals: 2)), .init("t-test p", .number(decimals: 4)),
                              .init("wins/losses/ties"), .init("sign p", .number(decimals: 4))],
                    rows: testRows)))
            }
            payload.append(("significance", .array(tests)))
        }
        return CommandResult(command: "compare", blocks: blocks, payload: payload)
    }
}
