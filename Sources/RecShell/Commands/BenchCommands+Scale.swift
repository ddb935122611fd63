import Foundation
import GraphRec
import Tensors

extension BenchCommands {
    /// `bench scale`: parse, run `ScaleBenchmark`, render.
    static func scale(_ session: Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let shape = try command.options.choice("shape", default: "1m", from: ["1m", "10m", "25m"])
        var settings = ScaleBenchmark.Settings(shape: "synthetic-\(shape)")
        let batchesText = command.options["batches"] ?? settings.batches.map(String.init) ?? "all"
        if batchesText == "all" {
            settings.batches = nil
        } else {
            guard let n = Int(batchesText), (1...100_000).contains(n) else {
                throw ShellError.message("bench: batches: expected a whole number in 1...100000 or all, got '\(batchesText)'")
            }
            settings.batches = n
        }
        settings.epochs = try command.options.int("epochs", default: settings.epochs, range: 1...1000)
        settings.itemModels = try command.options.bool("items", default: settings.itemModels)
        settings.batchSize = try command.options.int("batch", default: settings.batchSize, range: 1...1_000_000)
        let report = try ScaleBenchmark.run(settings, sessionsDirectory: session.settings.sessionsDirectory, control: context.run)
        func value(_ d: ScaleBenchmark.DetailValue) -> Value {
            switch d {
            case .int(let v): .int(v)
            case .double(let v): .double(v)
            case .string(let v): .string(v)
            }
        }
        let results = report.measurements.map { m in
            Measurement(name: m.name, medianSeconds: m.medianSeconds, runs: m.runs,
                        figure: m.figure ?? ("seconds", m.medianSeconds), extra: m.details.map { ($0.0, value($0.1)) })
        }
        var rendered = render(results)
        rendered.payload += [
            ("shape", .string(report.shape)),
            ("peak_rss_bytes", report.peakResidentBytes.map(Value.int) ?? .null),
            ("bundle_bytes", report.bundleBytes.map(Value.int) ?? .null),
            ("skipped", .array(report.skipped.map { .object([("name", .string($0.name)), ("reason", .string($0.reason))]) })),
        ]
        if let peak = report.peakResidentBytes { rendered.notes.append("peak RSS \(ResourceBudget.bytes(Double(peak)))") }
        rendered.notes += report.skipped.map { "\($0.name): \($0.reason)" }
        return rendered
    }
}
