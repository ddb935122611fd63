import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A saved session on disk: the directory `DIR/NAME/` holding
/// `manifest.json`, `tensors.safetensors` and `transcript.md`.
///
/// **Writing is atomic.** `write` builds the bundle in a hidden temporary
/// directory `DIR/.NAME.tmp-PID-STAMP` beside the target, writes and fsyncs
/// each file (manifest last), fsyncs the directory, and only then renames it
/// into place. Replacing an existing bundle takes two renames: the old one
/// moves aside to `DIR/.NAME.old-PID-STAMP`, the new one moves in, the
/// parent is fsynced, and the aside copy is removed. Where a kill can land:
///
/// 1. While the temporary directory is written: `NAME` is untouched; the
///    half-written `.NAME.tmp-*` is ignored by `read` and `list` (its name
///    starts with a dot, which bundle names may not) and removed by the next
///    successful save of `NAME`.
/// 2. Between the two renames: `NAME` is missing, the complete old bundle is
///    in `.NAME.old-*`. `read` and `list` fall back to the newest aside copy,
///    so the old session is still restorable; the next save replaces it.
/// 3. After the new bundle is in place, before the aside copy is gone: `NAME`
///    is the complete new bundle; the leftover is ignored and removed by the
///    next save.
///
/// Leftovers are removed only after a new bundle is safely in place, and
/// never those of a process that is still running, so no window ever leaves
/// a session with neither its old nor its new version.
///
/// **Reading trusts nothing.** `read` checks the format version, the
/// manifest's JSON and keys, the safetensors structure, the tensors file's
/// SHA-256 against the manifest and that every tensor the manifest names
/// exists with the right type; each failure is a `RecError` naming the file.
public enum SessionBundle {
    public static let manifestFile = "manifest.json"
    public static let tensorsFile = "tensors.safetensors"
    public static let transcriptFile = "transcript.md"
    /// Longest accepted bundle name, in UTF-8 bytes.
    public static let maxNameLength = 100

    /// Where a save went and how big it is (all three files).
    public struct Saved: Sendable, Equatable {
        public var path: String
        public var bytes: Int
    }

    /// A bundle read back and verified.
    public struct Contents: Sendable {
        public var manifest: Manifest
        public var tensors: SafeTensorsFile
        public var transcript: String
        /// The directory actually read.
        public var path: String
        /// True when `NAME` was missing and the copy set aside by an interrupted save was read.
        public var recoveredFromInterruptedSave: Bool
    }

    /// One row of `sessions`.
    public struct Listing: Sendable {
        public var name: String
        public var path: String
        public var createdAt: Date?
        public var bytes: Int
        public var models: [ModelSummary]
        public var datasetName: String?
        /// Why the bundle cannot be read (nil when its manifest is fine).
        public var problem: String?
        /// E.g. that this is the copy kept by an interrupted save.
        public var note: String?
    }

    public struct ModelSummary: Sendable, Equatable {
        public var name: String
        public var kind: String
        public var metrics: [String: Double]
        public var metricsOn: String?

        /// The metric `sessions` shows: NDCG if measured, else precision, else the first by name.
        public var headline: (name: String, value: Double)? {
            for key in ["ndcg", "precision"] { if let v = metrics[key] { return (key, v) } }
            return metrics.keys.sorted().first.map { ($0, metrics[$0]!) }
        }
    }

    // MARK: Names

    /// Throws unless `name` is a plain name: one path component, no leading dot, no `..`,
    /// no separators, no control, bidirectional or other invisible characters
    /// (`VisibleText`; the emoji joiner U+200D is allowed), 1 to `maxNameLength` bytes.
    public static func validateName(_ name: String) throws {
        func bad(_ why: String) -> RecError {
            RecError("invalid session name '\(VisibleText.escaped(name))': \(why)")
        }
        guard !name.isEmpty else { throw RecError("invalid session name: it is empty") }
        guard name.utf8.count <= maxNameLength else { throw bad("longer than \(maxNameLength) bytes") }
        if let c = name.unicodeScalars.first(where: { VisibleText.isInvisible($0) && $0 != "\u{200D}" }) {
            let kind = c.properties.generalCategory == .control ? "control" : "invisible or bidirectional"
            throw bad("contains \(kind) character U+\(String(c.value, radix: 16, uppercase: true))")
        }
        guard !name.contains("/") && !name.contains("\\") else { throw bad("contains a path separator; give a plain name") }
        guard !name.contains("..") else { throw bad("contains '..'; give a plain name") }
        guard !name.hasPrefix(".") else { throw bad("starts with '.', which is reserved for temporary files") }
        guard name.trimmingCharacters(in: .whitespaces) == name else { throw bad("starts or ends with a space") }
    }

    // MARK: Write

    /// Writes the bundle atomically (see the type's notes) and returns its path and size.
    /// `manifest.tensorsSHA256` is set here from the tensors written.
    @discardableResult
    public static func write(name: String, directory: String, manifest: Manifest,
                             tensors: [(String, TensorValue)], transcript: String) throws -> Saved {
        try validateName(name)
        let parent = URL(fileURLWithPath: directory).standardizedFileURL.path
        try checkIsDirectory(parent)
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw RecError("\(parent): cannot create the sessions directory (\(reason(error)))")
        }
        let tensorData = try SafeTensors.encode(tensors, metadata: ["format": "pt", "producer": "recsh"])
        let transcriptData = Data(transcript.utf8)
        var manifestData = Data()

        let target = parent + "/" + name
        let temporary = parent + "/" + leftoverName(name, .temporary)
        try DurableFile.makeDirectory(temporary)
        do {
            // Hash the tensors on the second core while this one writes and syncs them.
            let digest = Background { sha256Hex(tensorData) }
            try DurableFile.write(tensorData, to: temporary + "/" + tensorsFile)
            try DurableFile.write(transcriptData, to: temporary + "/" + transcriptFile)
            var manifest = manifest
            manifest.tensorsSHA256 = digest.value
            do {
                manifestData = try manifest.jsonData()
            } catch {
                throw RecError("\(manifestFile): cannot encode the manifest: \(error)")
            }
            try DurableFile.write(manifestData, to: temporary + "/" + manifestFile)
            try DurableFile.syncDirectory(temporary)
            if FileManager.default.fileExists(atPath: target) {
                let aside = parent + "/" + leftoverName(name, .aside)
                try DurableFile.rename(target, aside)
                do {
                    try DurableFile.rename(temporary, target)
                } catch {
                    try? DurableFile.rename(aside, target)
                    throw error
                }
            } else {
                try DurableFile.rename(temporary, target)
            }
            try DurableFile.syncDirectory(parent)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        removeLeftovers(of: name, in: parent)
        return Saved(path: target, bytes: tensorData.count + transcriptData.count + manifestData.count)
    }

    // MARK: Read

    /// Reads and verifies `DIR/NAME/` (or, if an interrupted save left it missing, its aside copy).
    public static func read(name: String, directory: String) throws -> Contents {
        try validateName(name)
        let parent = URL(fileURLWithPath: directory).standardizedFileURL.path
        var path = parent + "/" + name
        var recovered = false
        if !DurableFile.isDirectory(path) {
            guard let aside = newestAside(of: name, in: parent) else {
                let exists = FileManager.default.fileExists(atPath: path)
                throw RecError("\(path): \(exists ? "not a session bundle (not a directory)" : "no saved session '\(name)' in \(parent)")")
            }
            path = parent + "/" + aside
            recovered = true
        }
        let manifestPath = path + "/" + manifestFile
        let manifest = try Manifest.decode(try readFile(manifestPath), file: manifestPath)

        let tensorsPath = path + "/" + tensorsFile
        let tensorData = try readFile(tensorsPath)
        let hashing = Background { sha256Hex(tensorData) }
        let tensors = try SafeTensors.decode(tensorData, file: tensorsPath)
        let digest = hashing.value
        guard digest == manifest.tensorsSHA256 else {
            throw RecError("\(tensorsPath): checksum mismatch (sha256 \(digest.prefix(16))..., \(manifestFile) says "
                + "\(manifest.tensorsSHA256.prefix(16))...): the file was changed or damaged after saving")
        }
        try checkTensors(of: manifest, manifestPath: manifestPath, tensorsPath: tensorsPath) { name in
            tensors[name].map { ($0.dtype, $0.shape) }
        }
        if let split = manifest.split {
            for part in ["train", "val", "test"] where tensors[split.tensors[part] ?? ""]?.edges == nil {
                throw RecError("\(tensorsPath): split edge list '\(split.tensors[part] ?? "")' holds ids outside 32 bits")
            }
        }
        let transcriptPath = path + "/" + transcriptFile
        guard let transcript = String(data: try readFile(transcriptPath), encoding: .utf8) else {
            throw RecError("\(transcriptPath): not valid UTF-8 text")
        }
        return Contents(manifest: manifest, tensors: tensors, transcript: transcript, path: path,
                        recoveredFromInterruptedSave: recovered)
    }

    // MARK: List

    /// Every bundle in `directory`, by name; unreadable ones carry a `problem`
    /// instead of failing the list. Temporary and aside directories are not
    /// listed, except an aside copy standing in for a missing bundle.
    /// A missing directory lists nothing.
    public static func list(directory: String) throws -> [Listing] {
        let parent = URL(fileURLWithPath: directory).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: parent) else { return [] }
        try checkIsDirectory(parent)
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: parent)
        } catch {
            throw RecError("\(parent): cannot list the sessions directory (\(reason(error)))")
        }
        var rows: [Listing] = []
        var names = Set<String>()
        for entry in entries where !entry.hasPrefix(".") && DurableFile.isDirectory(parent + "/" + entry) {
            names.insert(entry)
            rows.append(summary(name: entry, path: parent + "/" + entry))
        }
        for entry in entries {
            guard let leftover = parseLeftover(entry), leftover.kind == .aside, !names.contains(leftover.name),
                  newestAside(of: leftover.name, in: parent) == entry else { continue }
            names.insert(leftover.name)
            var row = summary(name: leftover.name, path: parent + "/" + entry)
            row.note = "kept by an interrupted save; restore reads it, the next save of this name replaces it"
            rows.append(row)
        }
        return rows.sorted { $0.name < $1.name }
    }

    /// A listing row: the manifest read in full, the tensors file's header
    /// checked against its size and the manifest, the transcript present.
    /// Only the checksum and the tensors' values are left to `read`.
    private static func summary(name: String, path: String) -> Listing {
        var row = Listing(name: name, path: path, createdAt: nil, bytes: directorySize(path), models: [],
                          datasetName: nil, problem: nil, note: nil)
        do {
            let manifestPath = path + "/" + manifestFile, tensorsPath = path + "/" + tensorsFile
            let manifest = try Manifest.decode(try readFile(manifestPath), file: manifestPath)
            row.createdAt = manifest.createdAt
            row.datasetName = manifest.dataset.name
            row.models = manifest.models.map {
                ModelSummary(name: $0.name, kind: $0.kind, metrics: $0.lastMetrics, metricsOn: $0.lastMetricsOn)
            }
            let header = try SafeTensors.inspect(path: tensorsPath)
            try checkTensors(of: manifest, manifestPath: manifestPath, tensorsPath: tensorsPath) { name in
                header[name].map { ($0.dtype, $0.shape) }
            }
            let transcriptPath = path + "/" + transcriptFile
            if !FileManager.default.isReadableFile(atPath: transcriptPath) {
                throw RecError("\(transcriptPath): missing: the bundle is incomplete or damaged")
            }
        } catch {
            row.problem = "\(error)"
        }
        return row
    }

    /// Checks that every tensor `manifest` names exists in the tensors file
    /// with the type and rank it needs; `lookup` gives a tensor's dtype and shape.
    static func checkTensors(of manifest: Manifest, manifestPath: String, tensorsPath: String,
                             lookup: (String) -> (SafeTensors.DType, [Int])?) throws {
        for model in manifest.models {
            for tensor in model.tensorNames {
                guard let (dtype, _) = lookup(tensor) else {
                    throw RecError("\(tensorsPath): tensor '\(tensor)' of model '\(model.name)' named in \(manifestFile) is missing")
                }
                guard dtype == .f32 else {
                    throw RecError("\(tensorsPath): tensor '\(tensor)' of model '\(model.name)' is \(dtype.rawValue), expected F32")
                }
            }
        }
        guard let split = manifest.split else { return }
        for part in ["train", "val", "test"] {
            guard let tensor = split.tensors[part] else {
                throw RecError("\(manifestPath): split.tensors has no '\(part)' entry")
            }
            guard let (dtype, shape) = lookup(tensor) else {
                throw RecError("\(tensorsPath): split edge list '\(tensor)' named in \(manifestFile) is missing")
            }
            guard dtype != .f32, shape.count == 2, shape[1] == 2 else {
                throw RecError("\(tensorsPath): split edge list '\(tensor)' is not an [n, 2] integer tensor")
            }
        }
    }

    // MARK: Leftovers of interrupted saves

    enum LeftoverKind: String { case temporary = "tmp", aside = "old" }

    /// `.NAME.tmp-PID-STAMP` or `.NAME.old-PID-STAMP`; STAMP is zero-padded
    /// nanoseconds, so names sort by age.
    static func leftoverName(_ name: String, _ kind: LeftoverKind) -> String {
        let stamp = UInt64(Date().timeIntervalSince1970 * 1e9)
        let padded = String(repeating: "0", count: max(0, 20 - String(stamp).count)) + String(stamp)
        return ".\(name).\(kind.rawValue)-\(getpid())-\(padded)"
    }

    static func parseLeftover(_ entry: String) -> (name: String, kind: LeftoverKind, pid: Int32, stamp: String)? {
        guard entry.hasPrefix(".") else { return nil }
        let parts = entry.dropFirst().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        let stamp = parts[parts.count - 1], pidText = parts[parts.count - 2]
        guard !stamp.isEmpty, stamp.allSatisfy(\.isASCII), stamp.allSatisfy(\.isNumber),
              let pid = Int32(pidText) else { return nil }
        let head = parts[0..<(parts.count - 2)].joined(separator: "-")
        for kind in [LeftoverKind.temporary, .aside] where head.hasSuffix("." + kind.rawValue) {
            let name = String(head.dropLast(kind.rawValue.count + 1))
            guard (try? validateName(name)) != nil else { return nil }
            return (name, kind, pid, String(stamp))
        }
        return nil
    }

    /// The most recent complete copy set aside for `name`, if any.
    static func newestAside(of name: String, in parent: String) -> String? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        return entries.compactMap { entry -> (String, String)? in
            guard let l = parseLeftover(entry), l.kind == .aside, l.name == name else { return nil }
            return (l.stamp, entry)
        }.max { $0.0 < $1.0 }?.1
    }

    /// Removes `name`'s temporary and aside directories, except a running process's.
    static func removeLeftovers(of name: String, in parent: String) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for entry in entries {
            guard let l = parseLeftover(entry), l.name == name else { continue }
            if l.pid != getpid() && processIsRunning(l.pid) { continue }
            try? FileManager.default.removeItem(atPath: parent + "/" + entry)
        }
    }

    private static func processIsRunning(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }

    // MARK: Files

    /// Throws when `path` exists but is not a directory (a sessions directory that is a file).
    static func checkIsDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw RecError("\(path): not a directory; set sessions= to a directory for saved sessions")
        }
    }

    /// The operating system's words for a file error, not Foundation's "error 256".
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let text = strerror(Int32(underlying.code)) {
            return String(cString: text)
        }
        if ns.domain == NSPOSIXErrorDomain, let text = strerror(Int32(ns.code)) { return String(cString: text) }
        return ns.localizedFailureReason ?? "error \(ns.code)"
    }

    static func readFile(_ path: String) throws -> Data {
        if let data = FileManager.default.contents(atPath: path) { return data }
        if !FileManager.default.fileExists(atPath: path) {
            throw RecError("\(path): missing: the bundle is incomplete or damaged")
        }
        throw RecError("\(path): cannot read")
    }

    private static func directorySize(_ path: String) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return entries.reduce(0) { total, entry in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + entry)
            return total + ((attributes?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }
}

/// A value computed on another thread; `value` waits for it.
///
/// A plain pthread rather than Dispatch: saving must also work in a process
/// that was forked (the crash tests SIGKILL a forked saver), where
/// libdispatch may not be used.
final class Background<T>: BackgroundJob, @unchecked Sendable {
    private let work: () -> T
    private var result: T?
    #if canImport(Glibc)
    private var thread = pthread_t()
    #else
    private var thread: pthread_t?
    #endif
    private var started = false

    init(_ work: @escaping () -> T) {
        self.work = work
        super.init()
        let context = Unmanaged.passRetained(self as BackgroundJob).toOpaque()
        started = pthread_create(&thread, nil, { context in
            Unmanaged<BackgroundJob>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context) == 0
        if !started {
            Unmanaged<BackgroundJob>.fromOpaque(context).release()
            result = work()
        }
    }

    override func run() { result = work() }

    /// Joins the thread (which orders its write before this read) and returns the result.
    var value: T {
        if started {
            #if canImport(Glibc)
            pthread_join(thread, nil)
            #else
            pthread_join(thread!, nil)
            #endif
            started = false
        }
        return result!
    }
}

class BackgroundJob {
    func run() {}
}
