import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import ZIPFoundation
@testable import RecServe

/// Headless Chromium, when it is installed (`.ci/run` installs Debian's `chromium`).
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs chromium headless on `url` with `flags`; returns stdout.
    static func run(_ url: String, _ flags: [String]) throws -> String {
        let path = try #require(path)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        // Root in CI: no sandbox. Virtual time waits for the page's fetches before the dump or the picture.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--hide-scrollbars", "--user-data-dir=\(profile.path)", "--virtual-time-budget=120000"]
            + flags + [url]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// `recsh -c '...; serve port=0; models'` as a person starts it, driven by a headless browser.
@Suite(.serialized, .enabled(if: ServeTestData.available, "needs ML-100K (RECSH_TEST_DATA)"),
       .enabled(if: Chromium.path != nil, "Chromium is not installed (.ci/run installs Debian's chromium as root); browser test skipped"))
struct ServeBrowserTests {
    @Test func thePagePicksAUserMovesTheSliderAndTogglesALike() async throws {
        let binary = try #require(ServeTestData.binary, "build the recsh product first (make test does)")
        let recsh = try RunningRecsh(binary: binary, commands: ServeTestData.sessionScript + "; serve port=0; models")
        defer { recsh.terminate() }
        let base = try recsh.waitForURL(seconds: 900)

        // The movie to like: user 1's top recommendation by the GAT, asked the way the page asks.
        let (data, _) = try await URLSession.shared.data(from: try #require(URL(string: base + "api/recommend?arg=1&model=gat&k=1")))
        let top = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let liked = try #require(((top["items"] as? [[String: Any]])?.first?["movie"]) as? Int)

        let page = base + "?user=1&planes=4&like=\(liked)&layer=1"
        let dom = try Chromium.run(page, ["--dump-dom"])
        #expect(dom.contains("data-status=\"ready\""), "the page never settled: \(dom.prefix(400))")
        #expect(dom.contains("<b>user 1</b>"))
        for model in ["gcn", "gat"] {
            let column = try #require(section(of: dom, from: "data-model=\"\(model)\"", to: "</ol>"), "no \(model) column")
            #expect(column.components(separatedBy: "class=\"rec\"").count - 1 == 10, "\(model): top-10 expected")
        }
        // GAT explains through attention paths, GCN through similar liked movies.
        #expect(dom.contains("class=\"why\">via "))
        #expect(dom.contains("class=\"why\">like "))
        // The attention graph: weighted edges, the self-loop marked, GCN's uniform underlay.
        let graph = try #require(section(of: dom, from: "<div id=\"att-graph\">", to: "</svg>"))
        #expect(graph.components(separatedBy: "class=\"edge\"").count - 1 >= 3)
        #expect(graph.contains("class=\"self-loop\""))
        #expect(graph.contains("class=\"gcn\""))
        #expect(graph.contains("data-layer=\"1\""))
        // The slider's setting reached lsh: planes=4 with a recall in [0, 1].
        let lsh = try #require(section(of: dom, from: "id=\"lsh-result\"", to: ">"))
        #expect(lsh.contains("data-planes=\"4\""))
        let recall = try #require(attribute("data-recall", in: lsh).flatMap(Double.init))
        #expect((0...1).contains(recall))
        // The like toggle ran the what-if: the toggle is on and the list moved.
        #expect(dom.contains("class=\"toggle like on\" title=\"like it in the what-if\" data-movie=\"\(liked)\""))
        let moves = try #require(section(of: dom, from: "id=\"whatif-list\"", to: "</ol>"))
        #expect(attribute("data-entered", in: moves) != nil, "the what-if list never filled")
        #expect(moves.components(separatedBy: "<li").count - 1 >= 10)
        #expect(dom.contains("The session is unchanged."))

        // A new user from features and likes.
        let persona = try Chromium.run(base + "?user=2&new=1&age=25&gender=F&occupation=student&likes=50,181", ["--dump-dom"])
        #expect(persona.contains("data-status=\"ready\""))
        #expect(persona.contains("data-newuser=\"1\""))
        #expect(persona.contains("for a new user (age 25, F, student, likes 50,181)"))

        // The picture: a PNG of the window's size with a real page on it.
        let shot = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-serve-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: shot) }
        _ = try Chromium.run(page, ["--screenshot=\(shot.path)", "--window-size=1280,1500"])
        let png = try PNGImage(data: Data(contentsOf: shot))
        #expect(png.width == 1280 && png.height == 1500)
        #expect(png.distinctColours > 50, "a blank or flat page: \(png.distinctColours) colours")
        #expect(png.fractionUnlike(png.commonest) > 0.05, "almost every pixel is the background colour")

        // Ctrl-C stops serving; the shell goes on with the session intact.
        let result = try recsh.interruptAndWait(seconds: 60)
        #expect(result.status == 0, "\(result.stderr.suffix(500))")
        let objects = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let served = try #require(objects.first { $0["command"] as? String == "serve" })
        #expect(served["ok"] as? Bool == true)
        #expect((served["requests"] as? Int ?? 0) >= 10)
        let models = try #require(objects.first { $0["command"] as? String == "models" })
        #expect((models["models"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["gcn", "gat"])
    }

    func section(of text: String, from start: String, to end: String) -> String? {
        guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
        return String(text[a.lowerBound..<b.upperBound])
    }

    func attribute(_ name: String, in text: String) -> String? {
        guard let a = text.range(of: name + "=\"") else { return nil }
        guard let b = text.range(of: "\"", range: a.upperBound..<text.endIndex) else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }
}

/// The binary running `-c COMMANDS` with `--format json`, its stderr read as it arrives.
final class RunningRecsh: @unchecked Sendable {
    let process = Process()
    let out = Pipe(), err = Pipe()
    private let lock = NSLock()
    private var errText = ""
    private var outData = Data()
    private let readers = DispatchGroup()

    init(binary: String, commands: String) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--format", "json", "--quiet", "-c", commands]
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = FileManager.default.temporaryDirectory.path
        process.environment = env
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try Self.runWithSIGINTDeliverable(process)
        read(err.fileHandleForReading) { self.errText += String(decoding: $0, as: UTF8.self) }
        read(out.fileHandleForReading) { self.outData.append($0) }
    }

    /// A child inherits the spawning thread's signal mask, and the test runs on
    /// a pool thread that blocks SIGINT: spawn from a thread that lets it through,
    /// as a terminal's shell would.
    static func runWithSIGINTDeliverable(_ process: Process) throws {
        let failure = Locked<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let spawner = Thread {
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            do { try process.run() } catch { failure.set(error) }
            done.signal()
        }
        spawner.start()
        done.wait()
        if let error = failure.value { throw error }
    }

    /// The child's blocked-signal mask, for a failure message.
    var blockedSignals: String {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("SigBlk") }.map(String.init) ?? "?"
    }

    private func read(_ handle: FileHandle, _ append: @escaping @Sendable (Data) -> Void) {
        readers.enter()
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { append(chunk) }
            }
            readers.leave()
        }
    }

    var stderr: String { lock.withLock { errText } }

    /// The address `serve` prints once it listens.
    func waitForURL(seconds: Double) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text = stderr
            if let range = text.range(of: "serving http://127.0.0.1:") {
                let rest = text[range.lowerBound...].dropFirst("serving ".count)
                if let end = rest.firstIndex(of: " ") { return String(rest[..<end]) }
            }
            if !process.isRunning { throw RecshFailed(stderr: text) }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw RecshFailed(stderr: "no 'serving' line after \(seconds) s: " + stderr)
    }

    /// Ctrl-C, then everything the process wrote.
    func interruptAndWait(seconds: Double) throws -> (status: Int32, stdout: String, stderr: String) {
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { throw RecshFailed(stderr: "still running \(seconds) s after Ctrl-C (\(blockedSignals))") }
        readers.wait()
        return (process.terminationStatus, lock.withLock { String(decoding: outData, as: UTF8.self) }, stderr)
    }

    /// SIGKILL: the test runner's blocked mask (SIGTERM among it) is inherited too.
    func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    struct RecshFailed: Error, CustomStringConvertible {
        var stderr: String
        var description: String { "recsh: \(stderr.suffix(2000))" }
    }
}

/// Just enough PNG to look at a screenshot: 8-bit RGB or RGBA, not interlaced.
struct PNGImage {
    var width = 0, height = 0
    /// Pixels as 0xRRGGBB.
    var pixels: [UInt32] = []

    init(data: Data) throws {
        let bytes = [UInt8](data)
        try #require(bytes.count > 33 && bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "not a PNG")
        func be32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var at = 8, channels = 0
        var compressed = [UInt8]()
        while at + 8 <= bytes.count {
            let length = be32(at), type = String(decoding: bytes[at + 4..<at + 8], as: UTF8.self)
            let body = at + 8
            try #require(body + length <= bytes.count, "truncated chunk \(type)")
            switch type {
            case "IHDR":
                width = be32(body); height = be32(body + 4)
                try #require(bytes[body + 8] == 8 && bytes[body + 12] == 0, "only 8-bit, non-interlaced")
                channels = bytes[body + 9] == 6 ? 4 : bytes[body + 9] == 2 ? 3 : 0
                try #require(channels > 0, "colour type \(bytes[body + 9])")
            case "IDAT": compressed += bytes[body..<body + length]
            default: break
            }
            at = body + length + 4
        }
        // zlib wrapper: 2 header bytes, then raw deflate (ZIPFoundation inflates raw deflate).
        let deflate = Data(compressed.dropFirst(2))
        var raw = Data()
        let chunk = 1 << 16
        _ = try Data.decompress(size: Int64(deflate.count), bufferSize: chunk, skipCRC32: true, provider: { position, size in
            // Whole chunks only (the inflater reads bufferSize bytes), zero-padded past the end.
            var piece = Data(count: size)
            let start = Int(position), end = min(deflate.count, start + size)
            if start < end { piece.replaceSubrange(0..<(end - start), with: deflate[deflate.startIndex + start..<deflate.startIndex + end]) }
            return piece
        }, consumer: { raw.append($0) })
        let stride = width * channels
        let rows = [UInt8](raw)
        try #require(rows.count >= height * (stride + 1), "image data too short")
        var previous = [UInt8](repeating: 0, count: stride)
        var current = [UInt8](repeating: 0, count: stride)
        pixels.reserveCapacity(width * height)
        for y in 0..<height {
            let base = y * (stride + 1), filter = rows[base]
            for i in 0..<stride {
                let x = rows[base + 1 + i]
                let a = i >= channels ? Int(current[i - channels]) : 0
                let b = Int(previous[i]), c = i >= channels ? Int(previous[i - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                default:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                }
                current[i] = UInt8(truncatingIfNeeded: Int(x) + predictor)
            }
            for px in 0..<width {
                let o = px * channels
                pixels.append(UInt32(current[o]) << 16 | UInt32(current[o + 1]) << 8 | UInt32(current[o + 2]))
            }
            swap(&previous, &current)
        }
    }

    var distinctColours: Int { Set(pixels).count }

    var commonest: UInt32 {
        var counts: [UInt32: Int] = [:]
        for p in pixels { counts[p, default: 0] += 1 }
        return counts.max { $0.value < $1.value }?.key ?? 0
    }

    func fractionUnlike(_ colour: UInt32) -> Double {
        pixels.isEmpty ? 0 : Double(pixels.count { $0 != colour }) / Double(pixels.count)
    }
}
