import Foundation
import GraphRec
import Tensors
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `export embeddings|recommendations|metrics|attention [model=NAME] FILE`: the
/// format follows FILE's extension; every file carries the data set's own
/// ids (and titles where text allows), never recsh's dense indices.
extension SessionCommands {
    /// The extensions each kind of export can be written as.
    static let exportFormats: [String: [String]] = [
        "embeddings": ["safetensors", "csv", "json"],
        "recommendations": ["safetensors", "csv", "json"],
        "metrics": ["csv", "json"],
        "attention": ["csv", "json"],
        "notebook": ["ipynb"],
    ]

    static func export(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let what = command.subcommand ?? "", file = command.argument(0) ?? ""
        let formats = exportFormats[what] ?? []
        let ext = URL(fileURLWithPath: file).pathExtension.lowercased()
        guard formats.contains(ext) else {
            throw ShellError.message("export \(what): cannot tell the format of '\(file)' "
                + "(\(ext.isEmpty ? "no extension" : "extension .\(ext)")); use "
                + formats.map { "." + $0 }.joined(separator: ", ").replacingLast(", ", with: " or "))
        }
        if what == "notebook" { return try exportNotebook(session, to: file) }
        let dataset = try session.requireDataset("export")
        let data: Data
        var fields: [(String, Value)] = [("what", .string(what))]
        switch what {
        case "embeddings":
            let model = try session.model(command.options["model"], command: "export")
            let e = try model.requireEmbeddings("export embeddings")
            data = try embeddingsData(model, e, dataset: dataset, format: ext)
            fields += [("model", .string(model.name)), ("users", .int(e.users.rows)),
                       ("movies", .int(e.items.rows)), ("dim", .int(e.dimension))]
        case "recommendations":
            let model = try session.model(command.options["model"], command: "export")
            let graph = try session.requireGraph("export")
            let k = try command.options.int("k", default: session.settings.k, range: 1...dataset.movieCount)
            let lists = topK(model.scorer, graph: graph, users: dataset.userCount, k: k)
            data = try recommendationsData(lists, model: model, dataset: dataset, k: k, format: ext)
            fields += [("model", .string(model.name)), ("users", .int(lists.count)), ("k", .int(k))]
        case "attention":
            let export = try attentionExport(session, model: command.options["model"], dataset: dataset, format: ext)
            data = export.data
            fields += [("model", .string(export.model)), ("layers", .int(export.layers)), ("heads", .int(export.heads)),
                       ("rows", .int(export.rows))]
        default:
            let models: [TrainedModel]
            if let name = command.options["model"] {
                models = [try session.model(name, command: "export")]
            } else {
                models = session.models
            }
            data = metricsData(models, format: ext)
            fields += [("models", .array(models.map { .string($0.name) }))]
        }
        try write(data, to: file)
        fields += [("file", .string(file)), ("format", .string(ext)), ("bytes", .int(data.count))]
        return CommandResult(command: "export", blocks: [.fields(fields)], payload: fields)
    }

    /// The file replaced whole or not at all; errors name the command.
    static func write(_ data: Data, to file: String) throws {
        do { try DurableFile.replace(file, with: data) } catch let error as RecError {
            throw ShellError.message("export: \(error.message)")
        }
    }

    // MARK: notebook

    /// The transcript so far as a Jupyter notebook; needs no data, only commands run.
    static func exportNotebook(_ session: Session, to file: String) throws -> CommandResult {
        guard !session.transcript.isEmpty else {
            throw ShellError.message("export notebook: nothing to export yet; run some commands first (try 'load ml-100k')")
        }
        let heading = "recsh session" + (session.lastSessionName.map { " '\($0)'" } ?? "")
            + " (recsh \(RecshVersion.string))"
        let data: Data
        do {
            data = try NotebookWriter.notebook(session.transcript, heading: heading, version: RecshVersion.string)
        } catch {
            throw ShellError.message("export notebook: cannot encode the notebook: \(error)")
        }
        try write(data, to: file)
        let fields: [(String, Value)] = [
            ("what", .string("notebook")), ("commands", .int(session.transcript.count)), ("file", .string(file)),
            ("format", .string("ipynb")), ("bytes", .int(data.count)),
        ]
        return CommandResult(command: "export", blocks: [.fields(fields)], payload: fields)
    }
}

extension String {
    /// "a, b or c" from "a, b, c".
    func replacingLast(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target, options: .backwards) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
