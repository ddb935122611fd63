import Foundation
import ZIPFoundation

/// Unpacks a downloaded data set archive into the cache, all or nothing.
///
/// Every entry is checked before anything is written: an absolute path, a
/// `..` component, a backslash path or a symlink entry refuses the whole
/// archive ("zip slip"). The archive is unpacked into a temporary directory
/// inside the cache root, the expected files are checked there, and only
/// then is the data set directory renamed into place, so a failure at any
/// step leaves the cache as it was.
enum ZipInstaller {
    /// Installs `dataset` (e.g. "ml-100k") from the zip bytes as
    /// `cacheRoot/dataset`, checking that `expectedFiles` exist in it.
    /// `folder` is the archive's top folder when it differs from the name
    /// (ml-10m's zip holds `ml-10M100K/`). Returns the installed directory.
    static func install(zip: Data, dataset: String, folder: String? = nil, expectedFiles: [String],
                        cacheRoot: String) throws -> String {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: cacheRoot).standardizedFileURL
        let target = root.appendingPathComponent(dataset)
        do {
            try fm.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw RecError("cannot create the cache directory \(root.path): \(error.localizedDescription)")
        }
        let staging = root.appendingPathComponent(".\(dataset).partial-\(ProcessInfo.processInfo.processIdentifier)-"
                                                  + UUID().uuidString.prefix(8))
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        defer { try? fm.removeItem(at: staging) }

        let zipURL = staging.appendingPathComponent("download.zip")
        try zip.write(to: zipURL)
        let unpacked = staging.appendingPathComponent("unpacked")
        try fm.createDirectory(at: unpacked, withIntermediateDirectories: false)
        try extract(zipURL, into: unpacked)

        // The GroupLens zips hold `NAME/...` (or their own folder); accept the files at the top too.
        let top = folder ?? dataset
        var found = unpacked.appendingPathComponent(top)
        if !fm.fileExists(atPath: found.path) { found = unpacked.appendingPathComponent(dataset) }
        if !fm.fileExists(atPath: found.path) { found = unpacked }
        let missing = expectedFiles.filter { !fm.fileExists(atPath: found.appendingPathComponent($0).path) }
        guard missing.isEmpty else {
            throw RecError("the archive lacks \(missing.joined(separator: ", ")) (expected under \(top)/)")
        }

        if fm.fileExists(atPath: target.path) {
            // An incomplete earlier copy: move it aside into staging, which the defer removes.
            try fm.moveItem(at: target, to: staging.appendingPathComponent("previous"))
        }
        do {
            try fm.moveItem(at: found, to: target)
        } catch {
            throw RecError("cannot move the unpacked files to \(target.path): \(error.localizedDescription)")
        }
        return target.path
    }

    /// Extracts every entry of `zipURL` under `directory` after checking all
    /// of them; throws naming the first unsafe entry.
    static func extract(_ zipURL: URL, into directory: URL) throws {
        let archive: Archive
        do {
            archive = try Archive(url: zipURL, accessMode: .read)
        } catch {
            throw RecError("the download is not a readable zip archive (\(error))")
        }
        let base = directory.standardizedFileURL
        var plan: [(Entry, URL)] = []
        for entry in archive {
            guard entry.type != .symlink else {
                throw RecError("refusing the archive: entry '\(entry.path)' is a symbolic link")
            }
            guard let destination = safeDestination(entry.path, under: base) else {
                throw RecError("refusing the archive: entry '\(entry.path)' would be written outside the target directory")
            }
            plan.append((entry, destination))
        }
        for (entry, destination) in plan {
            do {
                _ = try archive.extract(entry, to: destination)
            } catch {
                throw RecError("cannot unpack '\(entry.path)': \(error)")
            }
        }
    }

    /// Where an entry path lands under `base`, or nil when it would escape
    /// it: absolute paths, `..` components, backslashes, drive letters.
    static func safeDestination(_ path: String, under base: URL) -> URL? {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else { return nil }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.isEmpty else { return nil }
        if let first = components.first, first.count == 2, first.hasSuffix(":") { return nil }
        guard !components.contains("..") else { return nil }
        let destination = components.reduce(base) { $0.appendingPathComponent(String($1)) }.standardizedFileURL
        guard destination.path.hasPrefix(base.path + "/") else { return nil }
        return destination
    }
}
