import Foundation

/// Finds a MovieLens release's files for `load NAME` (ml-100k, ml-1m, ...),
/// downloading them once into a cache when nothing else has them.
///
/// The order, first hit wins:
/// 1. `path=DIR` given to `load` (must hold the files: no fallback);
/// 2. the shell's `--data DIR` flag or `RECSH_DATA`: for ml-100k it must hold
///    the files (a wrong setting is an error, not a silent download); for
///    the other releases it is used when it holds them (in DIR or DIR/NAME);
/// 3. the cache, `$XDG_CACHE_HOME/recsh/NAME` or `~/.cache/recsh/NAME`;
/// 4. a download of the release's zip, checked against its published size
///    and checksum (or the one recorded at its first download), unpacked
///    into the cache (see `ZipInstaller`).
/// A DIR may be the data set directory itself or a folder holding `NAME/`.
public struct DatasetLocator: Sendable {
    public static let ml100kURL = MovieLensRelease.ml100k.url
    /// The files a usable ml-100k directory must have.
    public static let ml100kFiles = MovieLensRelease.ml100k.files

    /// Where the data came from.
    public enum Source: String, Sendable { case path, dataFlag = "data", cache, download }

    public struct Location: Sendable, Equatable {
        public var directory: String
        public var source: Source
    }

    public var release: MovieLensRelease
    /// Where to download from: the release's own URL unless told otherwise.
    public var url: URL
    public var path: String?
    public var dataDirectory: String?
    /// The cache root (`.../recsh`); the data set lives in `cacheRoot/NAME`.
    public var cacheRoot: String
    /// Seconds without progress before the request fails.
    public var timeout: TimeInterval
    /// False to never download (an error says how to get the files instead).
    public var allowDownload: Bool

    /// `dataDirectory` is what the shell got from `--data` or `RECSH_DATA`;
    /// `environment` supplies `XDG_CACHE_HOME` and `HOME` for the cache root.
    /// A `url` other than the release's own (a test server, a mirror) is not
    /// held to the published checksums, only to the recorded one.
    public init(release: MovieLensRelease = .ml100k, path: String? = nil, dataDirectory: String? = nil,
                cacheRoot: String? = nil, url: URL? = nil, timeout: TimeInterval = 30, allowDownload: Bool = true,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.release = release
        self.url = url ?? release.url
        self.path = path
        self.dataDirectory = dataDirectory
        self.cacheRoot = cacheRoot ?? DatasetLocator.defaultCacheRoot(environment: environment)
        self.timeout = timeout
        self.allowDownload = allowDownload
    }

    var name: String { release.name }

    /// `$XDG_CACHE_HOME/recsh`, else `$HOME/.cache/recsh`.
    public static func defaultCacheRoot(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/recsh" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/recsh"
    }

    /// The cache directory of the data set.
    public var cacheDirectory: String { MovieLensLoader.join(cacheRoot, name) }

    /// The directory to load, downloading into the cache if needed.
    public func locate(control: RunControl = .silent) throws -> Location {
        if let path {
            return Location(directory: try check(path, what: "path=\(path)"), source: .path)
        }
        if let dataDirectory {
            if name == MovieLensRelease.ml100k.name {
                return Location(directory: try check(dataDirectory, what: "--data/RECSH_DATA \(dataDirectory)"),
                                source: .dataFlag)
            }
            if let found = try? check(dataDirectory, what: "") { return Location(directory: found, source: .dataFlag) }
        }
        if missingFiles(in: cacheDirectory).isEmpty {
            return Location(directory: cacheDirectory, source: .cache)
        }
        guard allowDownload else { throw RecError("\(name) is not in the cache. \(howToInstall)") }
        return Location(directory: try download(control: control), source: .download)
    }

    /// Downloads, checks and unpacks the zip into the cache; returns the directory.
    public func download(control: RunControl = .silent) throws -> String {
        let zip: Data
        do {
            zip = try HTTPDownload.get(url, timeout: timeout, label: "download \(name)", control: control)
        } catch let error as RecError {
            throw RecError("could not download \(url.absoluteString): \(error.message). \(howToInstall)")
        }
        do {
            if url == release.url { try release.verify(zip) }
            try DownloadRecord.check(zip, release: release, cacheRoot: cacheRoot)
        } catch let error as RecError {
            throw RecError("\(error.message); nothing was installed. \(howToInstall)")
        }
        let directory: String
        do {
            directory = try ZipInstaller.install(zip: zip, dataset: name, folder: release.folder,
                                                 expectedFiles: release.files, cacheRoot: cacheRoot)
        } catch let error as RecError {
            throw RecError("could not install \(url.absoluteString) into \(cacheRoot): \(error.message)")
        }
        DownloadRecord.record(zip, release: release, url: url, cacheRoot: cacheRoot)
        return directory
    }

    /// What to do by hand when the download is impossible.
    public var howToInstall: String {
        let firstFile: String = release.files.first ?? ""
        let flags: String = name == "ml-100k" ? ", `recsh --data DIR` or RECSH_DATA=DIR." : "."
        var text = "To install it by hand, download \(release.url.absoluteString) on a machine with network access "
        text += "and unzip it so that \(cacheDirectory)/\(firstFile) exists, or point recsh at the unzipped "
        text += "directory with `load \(name) path=DIR`" + flags
        return text
    }

    /// The ml-100k files missing from `directory`.
    public static func missingFiles(in directory: String) -> [String] {
        DatasetLocator(environment: [:]).missingFiles(in: directory)
    }

    /// The release's files missing from `directory`.
    public func missingFiles(in directory: String) -> [String] {
        release.files.filter { !FileManager.default.fileExists(atPath: MovieLensLoader.join(directory, $0)) }
    }

    /// `directory` or its `NAME/` (or the zip's folder) child, whichever holds all the files.
    func check(_ directory: String, what: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RecError("\(what): no such directory")
        }
        if missingFiles(in: directory).isEmpty { return directory }
        for child in [name, release.folder] {
            let nested = MovieLensLoader.join(directory, child)
            if missingFiles(in: nested).isEmpty { return nested }
        }
        throw RecError("\(what): missing \(missingFiles(in: directory).joined(separator: ", ")) "
                       + "(expected the unzipped \(name) files there or in its \(name)/ folder)")
    }
}

extension DatasetLocator {
    /// Locates (downloading if needed) and loads the release: what `load NAME` runs.
    public func load(minRating: Float = 3, badLines: BadLinePolicy = .strict,
                     control: RunControl = .silent) throws -> (Dataset, Location) {
        let location = try locate(control: control)
        var dataset = try MovieLensLoader.load(directory: location.directory, minRating: minRating, badLines: badLines,
                                               control: control)
        dataset.name = name
        return (dataset, location)
    }
}
