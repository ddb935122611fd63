import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File writes that survive a crash: the bytes reach the disk (`fsync`)
/// before anyone renames the file into view. Foundation's atomic write
/// renames but does not sync, which is not enough for a bundle of several
/// files that must appear together.
public enum DurableFile {
    /// Writes `data` to a temporary file beside `path`, syncs it and renames
    /// it into place, so readers see the old file or the whole new one, never
    /// a part. Errors name `path` and the reason.
    public static func replace(_ path: String, with data: Data) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard isDirectory(directory) else { throw RecError("\(path): the directory \(directory) does not exist") }
        if isDirectory(path) { throw RecError("\(path) is a directory; give a file name") }
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        do {
            try write(data, to: temporary)
            try rename(temporary, path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        try? syncDirectory(directory)
    }

    /// Creates or truncates `path`, writes all of `data`, fsyncs and closes it.
    static func write(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw error(path, "cannot create") }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw error(path, "cannot write")
                }
                done += n
            }
        }
        guard fsync(fd) == 0 else { throw error(path, "cannot sync to disk") }
    }

    /// Flushes a directory's entries (new names, renames) to disk.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error(path, "cannot open directory") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw error(path, "cannot sync directory to disk") }
    }

    /// Creates one directory (the parent must exist).
    static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 else { throw error(path, "cannot create directory") }
    }

    /// Renames `from` to `to`, which must not exist when `from` is a directory.
    static func rename(_ from: String, _ to: String) throws {
        guard Foundation.rename(from, to) == 0 else { throw error(from, "cannot rename to \(to)") }
    }

    static func isDirectory(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
    }

    private static func error(_ path: String, _ what: String) -> RecError {
        RecError("\(path): \(what): \(String(cString: strerror(errno)))")
    }

    private static func posixWrite(_ fd: Int32, _ buf: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, buf, count)
        #else
        Darwin.write(fd, buf, count)
        #endif
    }
}
