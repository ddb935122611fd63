import Foundation
import Tensors

/// Everything a session bundle holds, as values: the shell builds one from
/// its `Session` to save, and gets one back from a restore.
///
/// Tensor names in the file (listed in the manifest, readable from Python):
/// `split/train`, `split/val`, `split/test` (`[n, 2]` I32 user and movie
/// indices), `model/NAME/PARAM` for each parameter and
/// `embedding/NAME/users`, `embedding/NAME/items` for final embeddings.
public struct SessionSnapshot: Sendable, Equatable {
    public var recshVersion: String
    public var createdAt: Date
    public var dataset: Manifest.DatasetRecord
    public var split: Split?
    public var settings: [String: String]
    public var models: [ModelRecord]
    /// Presets the user made.
    public var presets: [NamedPreset]
    /// The notebook: every command with its output, as Markdown.
    public var transcript: String

    public init(recshVersion: String, createdAt: Date = Date(), dataset: Manifest.DatasetRecord, split: Split?,
                settings: [String: String], models: [ModelRecord], presets: [NamedPreset] = [], transcript: String) {
        self.recshVersion = recshVersion
        self.createdAt = Manifest.wholeSeconds(createdAt)
        self.dataset = dataset
        self.split = split
        self.settings = settings
        self.models = models
        self.presets = presets
        self.transcript = transcript
    }

    // MARK: Save

    /// Saves the snapshot as `directory/name/`, atomically.
    @discardableResult
    public func save(name: String, directory: String) throws -> SessionBundle.Saved {
        let (manifest, tensors) = try manifestAndTensors()
        return try SessionBundle.write(name: name, directory: directory, manifest: manifest,
                                       tensors: tensors, transcript: transcript)
    }

    /// The manifest (without the tensors checksum, which the writer fills in) and the tensors, in file order.
    public func manifestAndTensors() throws -> (Manifest, [(String, TensorValue)]) {
        var tensors: [(String, TensorValue)] = []
        var used = Set<String>()
        func add(_ name: String, _ value: TensorValue) throws {
            guard used.insert(name).inserted else {
                throw RecError("save: two tensors would both be named '\(name)'; rename a model so names do not collide")
            }
            tensors.append((name, value))
        }

        var splitRecord: Manifest.SplitRecord?
        if let split {
            let names = ["train": "split/train", "val": "split/val", "test": "split/test"]
            try add(names["train"]!, .edges(split.train))
            try add(names["val"]!, .edges(split.validation))
            try add(names["test"]!, .edges(split.test))
            let (kind, officialName) = Self.kindRecord(split.kind)
            splitRecord = Manifest.SplitRecord(kind: kind, name: officialName, ratios: split.ratios, seed: split.seed,
                                               checksum: Manifest.SplitRecord.checksum(of: split), tensors: names)
        }

        var entries: [Manifest.ModelEntry] = []
        var modelNames = Set<String>()
        for model in models {
            guard modelNames.insert(model.name).inserted else { throw RecError("save: two models are named '\(model.name)'") }
            var parameterTensors: [String: String] = [:]
            for key in model.parameters.keys.sorted() {
                let tensor = "model/\(model.name)/\(key)"
                try add(tensor, .float32(model.parameters[key]!))
                parameterTensors[key] = tensor
            }
            var embeddingTensors: Manifest.EmbeddingTensors?
            if let e = model.embeddings {
                let names = Manifest.EmbeddingTensors(users: "embedding/\(model.name)/users", items: "embedding/\(model.name)/items")
                try add(names.users, .float32(e.users))
                try add(names.items, .float32(e.items))
                embeddingTensors = names
            }
            entries.append(model.withTensors(parameters: parameterTensors, embeddings: embeddingTensors))
        }
        let manifest = Manifest(recshVersion: recshVersion, createdAt: createdAt, dataset: dataset,
                                split: splitRecord, settings: settings, models: entries, presets: presets)
        return (manifest, tensors)
    }

    // MARK: Restore

    /// Reads and verifies `directory/name/` and rebuilds the snapshot.
    public static func load(name: String, directory: String) throws -> SessionSnapshot {
        let contents = try SessionBundle.read(name: name, directory: directory)
        return try SessionSnapshot(contents)
    }

    /// Rebuilds a snapshot from a verified bundle; the split's edges must match its checksum.
    public init(_ contents: SessionBundle.Contents) throws {
        let manifest = contents.manifest
        let tensorsPath = contents.path + "/" + SessionBundle.tensorsFile
        let manifestPath = contents.path + "/" + SessionBundle.manifestFile
        var split: Split?
        if let record = manifest.split {
            func edges(_ part: String) -> [Edge] { contents.tensors[record.tensors[part]!]!.edges! }
            guard let kind = Self.kind(record.kind, name: record.name) else {
                throw RecError("\(manifestPath): split.kind '\(record.kind)' is not warm, cold, official or files")
            }
            let rebuilt = Split(kind: kind, ratios: record.ratios, seed: record.seed,
                                train: edges("train"), validation: edges("val"), test: edges("test"))
            guard Manifest.SplitRecord.checksum(of: rebuilt) == record.checksum else {
                throw RecError("\(tensorsPath): the split's edge lists do not match the checksum in \(SessionBundle.manifestFile)")
            }
            split = rebuilt
        }
        var models: [ModelRecord] = []
        for entry in manifest.models {
            var parameters: [String: Matrix] = [:]
            for (key, tensor) in entry.parameters { parameters[key] = contents.tensors[tensor]!.matrix! }
            var embeddings: Embeddings?
            if let names = entry.embeddings {
                let users = contents.tensors[names.users]!.matrix!, items = contents.tensors[names.items]!.matrix!
                guard users.cols == items.cols else {
                    throw RecError("\(tensorsPath): model '\(entry.name)': user embeddings are \(users.cols) wide, items \(items.cols)")
                }
                embeddings = Embeddings(users: users, items: items)
            }
            models.append(entry.withTensors(parameters: parameters, embeddings: embeddings))
        }
        self.init(recshVersion: manifest.recshVersion, createdAt: manifest.createdAt, dataset: manifest.dataset,
                  split: split, settings: manifest.settings, models: models, presets: manifest.presets,
                  transcript: contents.transcript)
    }

    /// Throws unless the snapshot fits `dataset`: same rating file and
    /// min-rating, split edges and embeddings within its users and movies.
    public func check(against dataset: Dataset) throws {
        try self.dataset.check(against: dataset)
        if let split {
            for part in [Split.Part.train, .validation, .test] {
                if let e = split.edges(part).first(where: {
                    $0.user < 0 || Int($0.user) >= dataset.userCount || $0.movie < 0 || Int($0.movie) >= dataset.movieCount
                }) {
                    throw RecError("saved split (\(part.rawValue)) has edge (user \(e.user), movie \(e.movie)) outside the data set's "
                        + "\(dataset.userCount) users and \(dataset.movieCount) movies")
                }
            }
        }
        for model in models {
            guard let e = model.embeddings else { continue }
            guard e.users.rows >= dataset.userCount, e.items.rows == dataset.movieCount else {
                throw RecError("saved model '\(model.name)' has embeddings for \(e.users.rows) users and \(e.items.rows) movies; "
                    + "the data set has \(dataset.userCount) and \(dataset.movieCount)")
            }
        }
    }

    // MARK: Split kinds

    static func kindRecord(_ kind: Split.Kind) -> (String, String?) {
        switch kind {
        case .warm: ("warm", nil)
        case .cold: ("cold", nil)
        case .official(let name): ("official", name)
        case .files: ("files", nil)
        }
    }

    static func kind(_ text: String, name: String?) -> Split.Kind? {
        switch text {
        case "warm": .warm
        case "cold": .cold
        case "official": name.map(Split.Kind.official)
        case "files": .files
        default: nil
        }
    }
}
