import Foundation

/// What a computation is about to take: the bytes it holds at its peak and
/// the floating-point work of its longest step that nothing interrupts
/// (Ctrl-C is polled between such steps, so a step that runs for an hour
/// cannot be stopped).
///
/// Work is split by what bounds its speed: dense products run near the BLAS
/// rate, sparse products, gathers and element-wise passes at memory speed.
public struct ResourceEstimate: Sendable, Equatable {
    public var bytes: Double
    /// GEMM work of the longest uninterruptible step.
    public var denseFLOPs: Double
    /// Memory-bound work (sparse products, gathers, row dots) of that step.
    public var streamFLOPs: Double

    public init(bytes: Double, denseFLOPs: Double = 0, streamFLOPs: Double = 0) {
        self.bytes = bytes
        self.denseFLOPs = denseFLOPs
        self.streamFLOPs = streamFLOPs
    }

    /// Rates assumed for the time estimate: a loaded two-core machine runs
    /// sgemm at 20-40 GFLOP/s here and memory-bound kernels near 2 GFLOP/s.
    public static let denseRate = 30e9
    public static let streamRate = 2e9

    /// Expected seconds of the longest step at the assumed rates.
    public var stepSeconds: Double { denseFLOPs / Self.denseRate + streamFLOPs / Self.streamRate }

    public static func + (a: Self, b: Self) -> Self {
        Self(bytes: a.bytes + b.bytes, denseFLOPs: a.denseFLOPs + b.denseFLOPs, streamFLOPs: a.streamFLOPs + b.streamFLOPs)
    }
}

/// The memory this process may take: /proc/meminfo's MemAvailable, lowered
/// by a cgroup limit when one is set, with the source named for messages.
public struct SystemMemory: Sendable, Equatable {
    public var bytes: Double
    public var source: String

    /// Read now; nil where neither /proc/meminfo nor a cgroup says anything.
    @Sendable public static func current() -> SystemMemory? {
        var best: SystemMemory?
        func offer(_ bytes: Double?, _ source: String) {
            guard let bytes, bytes > 0, bytes < 1e18 else { return }
            if best == nil || bytes < best!.bytes { best = SystemMemory(bytes: bytes, source: source) }
        }
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kb = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) {
            offer(kb * 1024, "MemAvailable")
        }
        func number(_ path: String) -> Double? {
            (try? String(contentsOfFile: path, encoding: .utf8))
                .flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        // cgroup v2, then v1: the limit less what the group already uses.
        if let limit = number("/sys/fs/cgroup/memory.max") {
            offer(limit - (number("/sys/fs/cgroup/memory.current") ?? 0), "cgroup memory.max")
        } else if let limit = number("/sys/fs/cgroup/memory/memory.limit_in_bytes") {
            offer(limit - (number("/sys/fs/cgroup/memory/memory.usage_in_bytes") ?? 0), "cgroup memory limit")
        }
        return best
    }
}

/// The limits a command checks its `ResourceEstimate` against before it
/// allocates: the memory available (or `set memory-limit=`, whichever is
/// lower) and a longest uninterruptible step of about a minute.
///
/// `check` names what was asked, the estimate, the limit and, where the
/// caller can shrink its options, the first setting that fits.
public struct ResourceBudget: Sendable {
    /// `set memory-limit=`: bytes; nil = what the system has available.
    public var memoryLimit: Double?
    /// Longest step, in estimated seconds, that may run without a Ctrl-C check.
    public var maxStepSeconds: Double = 60
    /// Where the available memory comes from (injected by tests).
    public var system: @Sendable () -> SystemMemory?

    public init(memoryLimit: Double? = nil, maxStepSeconds: Double = 60,
                system: @escaping @Sendable () -> SystemMemory? = SystemMemory.current) {
        self.memoryLimit = memoryLimit
        self.maxStepSeconds = maxStepSeconds
        self.system = system
    }

    /// The memory this budget allows, with where that figure comes from.
    public var memory: SystemMemory? {
        let available = system()
        guard let memoryLimit else { return available }
        if let available, available.bytes < memoryLimit { return available }
        return SystemMemory(bytes: memoryLimit, source: "memory-limit")
    }

    /// Why `estimate` does not fit, or nil when it does.
    public func problem(_ estimate: ResourceEstimate) -> String? {
        if let memory, estimate.bytes > memory.bytes {
            return "needs about \(Self.bytes(estimate.bytes)) of memory, more than the \(Self.bytes(memory.bytes)) "
                + "available (\(memory.source))"
        }
        if estimate.stepSeconds > maxStepSeconds {
            let gflop = (estimate.denseFLOPs + estimate.streamFLOPs) / 1e9
            return "one uninterruptible step is about \(Self.number(gflop)) GFLOP, roughly "
                + "\(Self.number(estimate.stepSeconds)) s here, longer than the \(Self.number(maxStepSeconds)) s "
                + "Ctrl-C may wait (\(Self.bytes(estimate.bytes)) of memory)"
        }
        return nil
    }

    /// Throws when `estimate(options)` does not fit, naming `task`, the
    /// estimate and the first smaller setting that fits: the options in
    /// `shrinkable` are halved one at a time (the halving that saves most
    /// first), never below their floor (callers pass the defaults, so only
    /// what the user raised is offered smaller). `spell` writes one changed
    /// option as the user would type it (an option that is a list is
    /// shrunk through one number standing for it).
    public func check(_ task: String, options: [String: Int], shrinkable: [String: Int] = [:],
                      spell: (String, Int) -> String = { "\($0)=\($1)" },
                      estimate: ([String: Int]) -> ResourceEstimate) throws {
        guard let reason = problem(estimate(options)) else { return }
        var message = "\(task): \(reason)"
        if let fit = fitting(options, shrinkable: shrinkable, estimate: estimate) {
            let changed = fit.filter { options[$0.key] != $0.value }.sorted { $0.key < $1.key }
            message += "; " + changed.map { spell($0.key, $0.value) }.joined(separator: " ") + " fits"
        }
        if memoryLimit == nil, let memory, estimate(options).bytes > memory.bytes {
            message += " (set memory-limit= to choose the memory budget)"
        }
        throw RecError(message)
    }

    /// Throws when `estimate` does not fit, naming `task` and the estimate.
    public func check(_ task: String, _ estimate: ResourceEstimate) throws {
        try check(task, options: [:]) { _ in estimate }
    }

    /// The first setting, halving one shrinkable option per round, that fits.
    func fitting(_ options: [String: Int], shrinkable: [String: Int],
                 estimate: ([String: Int]) -> ResourceEstimate) -> [String: Int]? {
        var current = options
        for _ in 0..<64 {
            var best: (options: [String: Int], cost: Double)?
            for (key, floor) in shrinkable.sorted(by: { $0.key < $1.key }) {
                guard let value = current[key], value > floor else { continue }
                var next = current
                next[key] = max(floor, value / 2)
                let e = estimate(next)
                let cost = e.bytes / max(1, memory?.bytes ?? .infinity) + e.stepSeconds / maxStepSeconds
                if best == nil || cost < best!.cost { best = (next, cost) }
            }
            guard let step = best else { return nil }
            current = step.options
            if problem(estimate(current)) == nil { return current }
        }
        return nil
    }

    /// Parses `set memory-limit=` values: 512m, 4g, 1.5GB, 2000000 (bytes); `auto` or `off` = none.
    public static func parseLimit(_ text: String) throws -> Double? {
        let t = text.lowercased().trimmingCharacters(in: .whitespaces)
        if t == "auto" || t == "off" || t == "none" { return nil }
        let units: [(String, Double)] = [("tb", 1e12), ("gb", 1e9), ("mb", 1e6), ("kb", 1e3), ("t", 1e12), ("g", 1e9),
                                         ("m", 1e6), ("k", 1e3), ("b", 1)]
        var number = Substring(t), scale = 1.0
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            number = t.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let v = Double(number.trimmingCharacters(in: .whitespaces)), v.isFinite, v > 0, v * scale >= 1e6, v * scale <= 1e15 else {
            throw RecError("memory-limit: expected a size from 1m to 1000t (512m, 4g) or auto, got '\(text)'")
        }
        return v * scale
    }

    /// 1.5e9 -> "1.5 GB".
    public static func bytes(_ b: Double) -> String {
        for (unit, scale) in [("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)] where b >= scale {
            return "\(number(b / scale)) \(unit)"
        }
        return "\(Int(b)) bytes"
    }

    /// Three significant digits at most: 1234 -> "1234", 12.345 -> "12.3", 0.5 -> "0.5".
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "\(d)" }
        if d >= 100 { return String(Int(d.rounded())) }
        let s = String(format: d >= 10 ? "%.1f" : "%.2f", d)
        return s.contains(".") ? String(s.reversed().drop { $0 == "0" }.reversed()).trimmingCharacters(in: CharacterSet(charactersIn: ".")) : s
    }
}
