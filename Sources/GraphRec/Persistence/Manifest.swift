import Crypto
import Foundation

/// `manifest.json` of a session bundle: everything about a session except
/// the tensors and the transcript, in snake_case JSON a person can read.
///
/// The manifest names each model's tensors explicitly (parameter name ->
/// tensor name), so the tensors file needs no naming convention to be read
/// back, and records the tensors file's SHA-256 so a damaged or swapped file
/// is caught before anything is restored.
public struct Manifest: Codable, Sendable, Equatable {
    /// The bundle format this recsh writes and reads.
    public static let currentFormatVersion = 1

    public var formatVersion = Manifest.currentFormatVersion
    public var recshVersion: String
    /// Creation time, whole seconds (what ISO 8601 in the file keeps).
    public var createdAt: Date
    public var dataset: DatasetRecord
    public var split: SplitRecord?
    public var settings: [String: String]
    public var models: [ModelEntry]
    /// Presets the user made (`tune ... as NAME`); absent in older manifests.
    public var presets: [NamedPreset] = []
    /// Hex SHA-256 of `tensors.safetensors`; `SessionBundle.write` fills it in.
    public var tensorsSHA256 = ""

    /// `date` cut to whole seconds, what ISO 8601 in the file keeps, so a
    /// restored snapshot equals the one saved.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// The data set's identity: restore reloads it from `path` and refuses if `sha256` differs.
    public struct DatasetRecord: Codable, Sendable, Equatable {
        public var name: String
        /// `Dataset.Layout` raw value ("ml-100k", ...).
        public var layout: String
        public var path: String
        /// Hex SHA-256 of the rating file (`Dataset.checksum`).
        public var sha256: String
        public var minRating: Float

        public init(name: String, layout: String, path: String, sha256: String, minRating: Float) {
            self.name = name
            self.layout = layout
            self.path = path
            self.sha256 = sha256
            self.minRating = minRating
        }

        public init(_ dataset: Dataset) {
            self.init(name: dataset.name, layout: dataset.layout.rawValue, path: dataset.directory,
                      sha256: dataset.checksum, minRating: dataset.minRating)
        }

        /// Throws unless `dataset` is the one this session was saved with.
        public func check(against dataset: Dataset) throws {
            guard dataset.checksum == sha256 else {
                throw RecError("data set at \(dataset.directory) differs from the one the session was saved with "
                    + "(sha256 \(dataset.checksum.prefix(12))..., saved \(sha256.prefix(12))...): restore needs the same rating file")
            }
            guard dataset.minRating == minRating else {
                throw RecError("data set loaded with min-rating=\(dataset.minRating) but the session used min-rating=\(minRating)")
            }
        }

        enum CodingKeys: String, CodingKey {
            case name, layout, path, sha256, minRating = "min_rating"
        }
    }

    /// How the split was made, and a checksum of its edges (stored as tensors).
    public struct SplitRecord: Codable, Sendable, Equatable {
        /// "warm", "cold", "official" or "files".
        public var kind: String
        /// The official split's name (u1..u5, ua, ub); nil otherwise.
        public var name: String?
        public var ratios: [Int]
        public var seed: UInt64
        /// `SplitRecord.checksum(of:)` of the edge lists.
        public var checksum: String
        /// Tensor names of the train / val / test edge lists (`[n, 2]` I32).
        public var tensors: [String: String]

        public init(kind: String, name: String?, ratios: [Int], seed: UInt64, checksum: String, tensors: [String: String]) {
            self.kind = kind
            self.name = name
            self.ratios = ratios
            self.seed = seed
            self.checksum = checksum
            self.tensors = tensors
        }

        /// Hex SHA-256 over the edge lists: for train, val, test in turn the
        /// edge count as a little-endian u64, then each edge's user and movie
        /// index as little-endian i32.
        public static func checksum(of split: Split) -> String {
            var hasher = SHA256()
            for part in [split.train, split.validation, split.test] {
                withUnsafeBytes(of: UInt64(part.count).littleEndian) { hasher.update(bufferPointer: $0) }
                var flat = [Int32]()
                flat.reserveCapacity(part.count * 2)
                for e in part { flat.append(e.user.littleEndian); flat.append(e.movie.littleEndian) }
                flat.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            }
            return hexString(hasher.finalize())
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(name, forKey: .name)
            try c.encode(ratios, forKey: .ratios)
            try c.encode(seed, forKey: .seed)
            try c.encode(checksum, forKey: .checksum)
            try c.encode(tensors, forKey: .tensors)
        }
    }

    /// One trained model: what it is, how it was trained and scored, and the
    /// names of its tensors in the file (snake_case JSON, see `ModelEntryCodingKeys`).
    public typealias ModelEntry = SavedModel<String, EmbeddingTensors>

    /// `TrainingHistory` with the manifest's snake_case keys. A test checks
    /// that it covers every stored property of `TrainingHistory`.
    struct HistoryCoding: Codable {
        var history: TrainingHistory
        init(_ history: TrainingHistory) { self.history = history }

        enum CodingKeys: String, CodingKey {
            case loss, validationNDCG = "validation_ndcg", epochSeconds = "epoch_seconds"
            case bestEpoch = "best_epoch", stoppedEarly = "stopped_early", interrupted
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var h = TrainingHistory()
            h.loss = try c.decodeIfPresent([Double].self, forKey: .loss) ?? []
            h.validationNDCG = try c.decodeIfPresent([Double].self, forKey: .validationNDCG) ?? []
            h.epochSeconds = try c.decodeIfPresent([Double].self, forKey: .epochSeconds) ?? []
            h.bestEpoch = try c.decodeIfPresent(Int.self, forKey: .bestEpoch) ?? 0
            h.stoppedEarly = try c.decodeIfPresent(Bool.self, forKey: .stoppedEarly) ?? false
            h.interrupted = try c.decodeIfPresent(Bool.self, forKey: .interrupted) ?? false
            history = h
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(history.loss, forKey: .loss)
            try c.encode(history.validationNDCG, forKey: .validationNDCG)
            try c.encode(history.epochSeconds, forKey: .epochSeconds)
            try c.encode(history.bestEpoch, forKey: .bestEpoch)
            try c.encode(history.stoppedEarly, forKey: .stoppedEarly)
            try c.encode(history.interrupted, forKey: .interrupted)
        }
    }

    public struct EmbeddingTensors: Codable, Sendable, Equatable {
        public var users: String
        public var items: String
        public init(users: String, items: String) {
            self.users = users
            self.items = items
        }
    }

}

// The decoder and encoder live in an extension so that the memberwise
// initialiser (with the defaults above) stays available.
extension Manifest {
    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", recshVersion = "recsh_version", createdAt = "created_at"
        case dataset, split, settings, models, presets, tensorsSHA256 = "tensors_sha256"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(formatVersion: try c.decode(Int.self, forKey: .formatVersion),
                  recshVersion: try c.decode(String.self, forKey: .recshVersion),
                  createdAt: try Self.decodeDate(c, .createdAt),
                  dataset: try c.decode(DatasetRecord.self, forKey: .dataset),
                  split: try c.decodeIfPresent(SplitRecord.self, forKey: .split),
                  settings: try c.decode([String: String].self, forKey: .settings),
                  models: try c.decode([ModelEntry].self, forKey: .models),
                  presets: try c.decodeIfPresent([NamedPreset].self, forKey: .presets) ?? [],
                  tensorsSHA256: try c.decode(String.self, forKey: .tensorsSHA256))
    }

    /// ISO 8601 with or without fractional seconds, with an error that names the key.
    private static func decodeDate(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Date {
        let text = try c.decode(String.self, forKey: key)
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return wholeSeconds(date) }
        }
        throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(text)' is not an ISO 8601 date")
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(formatVersion, forKey: .formatVersion)
        try c.encode(recshVersion, forKey: .recshVersion)
        try c.encode(ISO8601DateFormatter().string(from: createdAt), forKey: .createdAt)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(split, forKey: .split)
        try c.encode(settings, forKey: .settings)
        try c.encode(models, forKey: .models)
        if !presets.isEmpty { try c.encode(presets, forKey: .presets) }
        try c.encode(tensorsSHA256, forKey: .tensorsSHA256)
    }

    // MARK: JSON

    /// Pretty, key-sorted JSON (stable diffs); non-finite numbers as "nan"/"inf" strings.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Decodes a manifest; `file` names it in errors, which say which key is wrong.
    public static func decode(_ data: Data, file: String) throws -> Manifest {
        guard let json = try? JSONSerialization.jsonObject(with: data) else {
            throw RecError("\(file): not valid JSON (damaged or not a recsh manifest)")
        }
        guard let object = json as? [String: Any] else {
            throw RecError("\(file): not a recsh session manifest (not a JSON object)")
        }
        if let key = repeatedKey(in: data) {
            throw RecError("\(file): \(key) appears more than once (the keys of a JSON object must differ)")
        }
        guard let versionValue = object["format_version"] else {
            throw RecError("\(file): no format_version: not a recsh session manifest")
        }
        guard let number = versionValue as? NSNumber, !(versionValue is String),
              number.doubleValue == number.doubleValue.rounded(), abs(number.doubleValue) < 1e9 else {
            throw RecError("\(file): format_version is not a whole number")
        }
        let version = number.intValue
        guard version == currentFormatVersion else {
            let why = version > currentFormatVersion ? "written by a newer recsh" : "unknown"
            throw RecError("\(file): format version \(version) is \(why); this recsh reads version \(currentFormatVersion)")
        }
        if let problem = outOfRangeNumber(in: object) { throw RecError("\(file): \(problem)") }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(Manifest.self, from: data)
        } catch let error as DecodingError {
            throw RecError("\(file): \(describe(error))")
        }
    }

    /// The first number JSON allows but its field's type cannot hold
    /// (min_rating 1e300, a seed of -1 or 2^64), named by key: the decoder
    /// itself would only call the whole file "not valid JSON".
    static func outOfRangeNumber(in object: [String: Any]) -> String? {
        func check(_ value: Any?, _ key: String, _ range: ClosedRange<Double>, whole: Bool) -> String? {
            guard let number = value as? NSNumber, !(value is String), !(value is Bool) else { return nil }
            let d = number.doubleValue
            if whole && d != d.rounded() { return "\(key): \(number) is not a whole number" }
            guard range.contains(d) else { return "\(key): \(number) is out of range \(range.lowerBound)...\(range.upperBound)" }
            return nil
        }
        let wholeRange = -9.2e18...9.2e18
        let dataset = object["dataset"] as? [String: Any]
        if let p = check(dataset?["min_rating"], "dataset.min_rating", -1e6...1e6, whole: false) { return p }
        let split = object["split"] as? [String: Any]
        if let seed = split?["seed"] as? NSNumber, !(split?["seed"] is String) {
            let d = seed.doubleValue    // near 2^64 a Double cannot tell UInt64.max from 2^64: the text can
            if d < 0 || d != d.rounded() || (d >= 1.8e19 && UInt64(seed.description) == nil) {
                return "split.seed: \(seed) is not a whole number from 0 to \(UInt64.max)"
            }
        }
        for (i, r) in ((split?["ratios"] as? [Any]) ?? []).enumerated() {
            if let p = check(r, "split.ratios[\(i)]", wholeRange, whole: true) { return p }
        }
        for (i, model) in ((object["models"] as? [Any]) ?? []).enumerated() {
            let history = (model as? [String: Any])?["history"] as? [String: Any]
            if let p = check(history?["best_epoch"], "models[\(i)].history.best_epoch", wholeRange, whole: true) { return p }
        }
        return nil
    }

    /// The path ("models[0].name") of the first key that appears twice in
    /// one object of `data` (valid JSON). JSONSerialization keeps a repeated
    /// key's last value and JSONDecoder its first, so the checks above and
    /// the decoder would read two different manifests.
    static func repeatedKey(in data: Data) -> String? {
        struct Level {
            var isObject: Bool
            var path: String
            var keys: Set<String> = []
            var lastKey = ""
            var index = 0
            /// The path of the value now being read inside this object or array.
            var child: String { isObject ? (path.isEmpty ? lastKey : path + "." + lastKey) : "\(path)[\(index)]" }
        }
        let bytes = [UInt8](data)
        var levels: [Level] = []
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                levels.append(Level(isObject: bytes[i] == UInt8(ascii: "{"), path: levels.last?.child ?? ""))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = levels.popLast()
            case UInt8(ascii: ","):
                if let last = levels.indices.last, !levels[last].isObject { levels[last].index += 1 }
            case UInt8(ascii: "\""):
                let start = i
                i += 1
                while i < bytes.count && bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                let end = min(i + 1, bytes.count)
                var next = end
                while next < bytes.count && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[next]) { next += 1 }
                guard let last = levels.indices.last, levels[last].isObject,
                      next < bytes.count, bytes[next] == UInt8(ascii: ":") else { break }
                let token = Data(bytes[start..<end])
                let key = (try? JSONSerialization.jsonObject(with: token, options: .fragmentsAllowed)) as? String
                    ?? String(decoding: token, as: UTF8.self)
                levels[last].lastKey = key
                if !levels[last].keys.insert(key).inserted { return levels[last].child }
            default:
                break
            }
            i += 1
        }
        return nil
    }

    /// "models[0].kind: missing" rather than Foundation's debug text.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let i = key.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
            }
            return out.isEmpty ? "top level" : out
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)): null where a value is required"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// Lower-case hex of a digest.
func hexString<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
    return String(decoding: out, as: UTF8.self)
}

/// Hex SHA-256 of `data`.
func sha256Hex(_ data: Data) -> String {
    hexString(SHA256.hash(data: data))
}

/// `manifest.json` keys of a model entry.
enum ModelEntryCodingKeys: String, CodingKey {
    case name, kind, options, history, parameters, embeddings
    case lastMetrics = "last_metrics", lastMetricsOn = "last_metrics_on"
}

extension SavedModel: Codable where Tensor == String, EmbeddingPair == Manifest.EmbeddingTensors {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ModelEntryCodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name),
                  kind: try c.decode(String.self, forKey: .kind),
                  options: try c.decode([String: String].self, forKey: .options),
                  history: try c.decode(Manifest.HistoryCoding.self, forKey: .history).history,
                  lastMetrics: try c.decode([String: Double].self, forKey: .lastMetrics),
                  lastMetricsOn: try c.decodeIfPresent(String.self, forKey: .lastMetricsOn),
                  parameters: try c.decode([String: String].self, forKey: .parameters),
                  embeddings: try c.decodeIfPresent(Manifest.EmbeddingTensors.self, forKey: .embeddings))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: ModelEntryCodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(options, forKey: .options)
        try c.encode(Manifest.HistoryCoding(history), forKey: .history)
        try c.encode(lastMetrics, forKey: .lastMetrics)
        try c.encode(lastMetricsOn, forKey: .lastMetricsOn)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(embeddings, forKey: .embeddings)
    }

    /// Every tensor name this model needs, parameters first.
    public var tensorNames: [String] {
        parameters.keys.sorted().map { parameters[$0]! } + (embeddings.map { [$0.users, $0.items] } ?? [])
    }
}

/// A fault in what `manifest.json` records about a model (its kind or
/// options) rather than in its tensors, so restore names the manifest.
public struct ManifestFault: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
