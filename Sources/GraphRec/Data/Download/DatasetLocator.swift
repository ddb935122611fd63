import Foundation

/// Finds the MovieLens-100K files for `load ml-100k`, downloading them once
/// into a cache when nothing else has them.
///
/// The order, first hit wins:
/// 1. `path=DIR` given to `load` (must hold the files: no fallback);
/// 2. the shell's `--data DIR` flag or `RECSH_DATA` (also no fallback: a
///    wrong setting is an error, not a silent download);
/// 3. the cache, `$XDG_CACHE_HOME/recsh/ml-100k` or `~/.cache/recsh/ml-100k`;
/// 4. a download of `url` unpacked into the cache (see `ZipInstaller`).
/// A DIR may be the data set directory itself or a folder holding `ml-100k/`.
public struct DatasetLocator: Sendable {
    public static let ml100kURL = URL(string: "https://files.grouplens.org/datasets/movielens/ml-100k.zip")!
    /// The files a usable ml-100k directory must have.
    public static let ml100kFiles = ["u.data", "u.item", "u.user", "u.genre", "u.occupation"]

    /// Where the data came from.
    public enum Source: String, Sendable { case path, dataFlag = "data", cache, download }

    public struct Location: Sendable, Equatable {
        public var directory: String
        public var source: Source
    }

    public var path: String?
    public var dataDirectory: String?
    /// The cache root (`.../recsh`); the data set lives in `cacheRoot/ml-100k`.
    public var cacheRoot: String
    public var url: URL
    /// Seconds without progress before the request fails.
    public var timeout: TimeInterval
    /// False to never download (an error says how to get the files instead).
    public var allowDownload: Bool

    /// `dataDirectory` is what the shell got from `--data` or `RECSH_DATA`;
    /// `environment` supplies `XDG_CACHE_HOME` and `HOME` for the cache root.
    public init(path: String? = nil, dataDirectory: String? = nil, cacheRoot: String? = nil,
                url: URL = DatasetLocator.ml100kURL, timeout: TimeInterval = 30, allowDownload: Bool = true,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.path = path
        self.dataDirectory = dataDirectory
        self.cacheRoot = cacheRoot ?? DatasetLocator.defaultCacheRoot(environment: environment)
        self.url = url
        self.timeout = timeout
        self.allowDownload = allowDownload
    }

    /// `$XDG_CACHE_HOME/recsh`, else `$HOME/.cache/recsh`.
    public static func defaultCacheRoot(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/recsh" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/recsh"
    }

    /// The cache directory of the data set.
    public var cacheDirectory: String { MovieLensLoader.join(cacheRoot, "ml-100k") }

    /// The directory to load, downloading into the cache if needed.
    public func locate(control: RunControl = .silent) throws -> Location {
        if let path {
            return Location(directory: try DatasetLocator.check(path, what: "path=\(path)"), source: .path)
        }
        if let dataDirectory {
            return Location(directory: try DatasetLocator.check(dataDirectory, what: "--data/RECSH_DATA \(dataDirectory)"),
                            source: .dataFlag)
        }
        if DatasetLocator.missingFiles(in: cacheDirectory).isEmpty {
            return Location(directory: cacheDirectory, source: .cache)
        }
        guard allowDownload else { throw RecError("ml-100k is not in the cache. \(howToInstall)") }
        return Location(directory: try download(control: control), source: .download)
    }

    /// Downloads and unpacks the zip into the cache; returns the directory.
    public func download(control: RunControl = .silent) throws -> String {
        let zip: Data
        do {
            zip = try HTTPDownload.get(url, timeout: timeout, label: "download ml-100k", control: control)
        } catch let error as RecError {
            throw RecError("could not download \(url.absoluteString): \(error.message). \(howToInstall)")
        }
        do {
            return try ZipInstaller.install(zip: zip, dataset: "ml-100k", expectedFiles: DatasetLocator.ml100kFiles,
                                            cacheRoot: cacheRoot)
        } catch let error as RecError {
            throw RecError("could not install \(url.absoluteString) into \(cacheRoot): \(error.message)")
        }
    }

    /// What to do by hand when the download is impossible.
    public var howToInstall: String {
        "To install it by hand, download \(DatasetLocator.ml100kURL.absoluteString) on a machine with network "
            + "access and unzip it so that \(cacheDirectory)/u.data exists, or point recsh at an unzipped "
            + "ml-100k directory with `load ml-100k path=DIR`, `recsh --data DIR` or RECSH_DATA=DIR."
    }

    /// The ml-100k files missing from `directory`.
    public static func missingFiles(in directory: String) -> [String] {
        ml100kFiles.filter { !FileManager.default.fileExists(atPath: MovieLensLoader.join(directory, $0)) }
    }

    /// `directory` or its `ml-100k/` child, whichever holds all the files.
    static func check(_ directory: String, what: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RecError("\(what): no such directory")
        }
        let nested = MovieLensLoader.join(directory, "ml-100k")
        if missingFiles(in: directory).isEmpty { return directory }
        if missingFiles(in: nested).isEmpty { return nested }
        throw RecError("\(what): missing \(missingFiles(in: directory).joined(separator: ", ")) "
                       + "(expected the unzipped ml-100k files there or in its ml-100k/ folder)")
    }
}

extension DatasetLocator {
    /// Locates (downloading if needed) and loads ml-100k: what `load ml-100k` runs.
    public func load(minRating: Float = 3, control: RunControl = .silent) throws -> (Dataset, Location) {
        let location = try locate(control: control)
        return (try MovieLensLoader.load(directory: location.directory, minRating: minRating, control: control),
                location)
    }
}
