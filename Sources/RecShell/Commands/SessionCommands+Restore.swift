import Foundation
import GraphRec

extension SessionCommands {
    // MARK: restore

    static func restore(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let name = command.arguments[0]
        let started = Date()
        let contents: SessionBundle.Contents
        do {
            contents = try SessionBundle.read(name: name, directory: session.settings.sessionsDirectory)
        } catch {
            throw ShellError.message("restore \(name): \(error)")
        }
        let manifestPath = contents.path + "/" + SessionBundle.manifestFile
        let snapshot: SessionSnapshot
        do { snapshot = try SessionSnapshot(contents) } catch { throw ShellError.message("restore \(name): \(error)") }

        let record = snapshot.dataset
        let dataset: Dataset
        do {
            dataset = try reusableDataset(session.dataset, record: record)
                ?? DataSource.reload(layout: record.layout, path: record.path, minRating: record.minRating,
                                     control: context.run)
        } catch {
            throw ShellError.message("restore \(name): cannot reload the data set from \(record.path) "
                + "(recorded in \(manifestPath)): \(error)")
        }
        do {
            try snapshot.check(against: dataset)
        } catch {
            throw ShellError.message("restore \(name): \(error) (\(manifestPath) records sha256 \(record.sha256))")
        }

        var restored = Session(settings: session.settings)
        for key in restoredSettings {
            guard let value = snapshot.settings[key] else { continue }
            do { try restored.settings.set(key, to: value) } catch {
                throw ShellError.message("restore \(name): \(manifestPath): setting \(error)")
            }
        }
        restored.dataset = dataset
        restored.split = snapshot.split
        let graph = snapshot.split.map { dataset.graph(for: $0) } ?? dataset.graph(edges: dataset.positives)
        restored.graph = graph
        for model in snapshot.models {
            let recommender: any Recommender
            do { recommender = try ModelRegistry.restore(model, graph: graph) } catch {
                let file = error is ManifestFault ? manifestPath : contents.path + "/" + SessionBundle.tensorsFile
                throw ShellError.message("restore \(name): \(file): \(error)")
            }
            // The saved embeddings are the ones eval and recommend used: bit-identical results.
            let scorer = ColdStart.scorer(recommender, graph: graph, base: model.embeddings)
            restored.models.append(TrainedModel(name: model.name, recommender: recommender, options: model.options,
                                                history: model.history, scorer: scorer,
                                                lastMetrics: model.lastMetrics, lastMetricsOn: model.lastMetricsOn))
        }
        restored.presets = snapshot.presets
        restored.transcript = Transcript.entries(fromMarkdown: snapshot.transcript)
        restored.lastSessionName = name
        session = restored

        let seconds = Date().timeIntervalSince(started)
        var fields: [(String, Value)] = [
            ("name", .string(name)), ("path", .string(contents.path)), ("bytes", .int(directoryBytes(contents.path))),
            ("seconds", .double(seconds)), ("dataset", .string(dataset.name)),
            ("split", .string(snapshot.split?.kind.description ?? "none")),
            ("models", .array(restored.models.map { .string($0.name) })),
            ("created_at", .string(ISO8601DateFormatter().string(from: snapshot.createdAt))),
        ]
        var notes: [String] = []
        if contents.recoveredFromInterruptedSave {
            fields.append(("recovered", .bool(true)))
            notes.append("'\(name)' was missing after an interrupted save; restored the complete copy it had set aside")
        }
        return CommandResult(command: "restore", blocks: [.fields(fields)], payload: fields, notes: notes,
                             hints: ShellHints.next(restored))
    }

    /// The rating file of each layout, whose SHA-256 is the data set's checksum.

    /// The data set already loaded, when it is the one the bundle needs and its rating file
    /// on disk still hashes to the recorded checksum (a re-hash, not a re-parse).
    static func reusableDataset(_ loaded: Dataset?, record: Manifest.DatasetRecord) throws -> Dataset? {
        guard let loaded, loaded.checksum == record.sha256, loaded.minRating == record.minRating,
              loaded.layout.rawValue == record.layout,
              URL(fileURLWithPath: loaded.directory).standardizedFileURL.path == record.path,
              let file = MovieLensLoader.ratingFile(loaded.layout),
              (try? MovieLensLoader.checksum(ofFile: loaded.directory + "/" + file)) == record.sha256 else { return nil }
        return loaded
    }

    /// Total size of the regular files in `path`.
    static func directoryBytes(_ path: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.reduce(0) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: path + "/" + file))?[.size] as? NSNumber
            return total + (size?.intValue ?? 0)
        }
    }
}
