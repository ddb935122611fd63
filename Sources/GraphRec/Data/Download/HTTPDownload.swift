import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A blocking HTTP GET for the one download recsh makes (the ml-100k zip,
/// about 5 MB), with progress and Ctrl-C through `RunControl`.
///
/// URLSession's completion handler runs on its own queue; the caller's
/// thread waits in slices of 100 ms, reporting bytes received and checking
/// `shouldStop`, which cancels the request.
enum HTTPDownload {
    /// The body of a 200 response from `url`, or a `RecError` that says what failed.
    static func get(_ url: URL, timeout: TimeInterval, label: String, control: RunControl) throws -> Data {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = max(timeout, 600)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }

        let box = ResultBox()
        let task = session.dataTask(with: url) { data, response, error in
            box.set(data: data, response: response, error: error)
        }
        task.resume()
        var stopped = false
        while !box.wait(milliseconds: 100) {
            let total = task.countOfBytesExpectedToReceive
            control.report(ProgressUpdate(label: label, done: Int(task.countOfBytesReceived),
                                          total: total > 0 ? Int(total) : 0, detail: "bytes"))
            if !stopped && control.shouldStop() {
                stopped = true
                task.cancel()
            }
        }
        let (data, response, error) = box.result
        if stopped { throw RecError("download of \(url.absoluteString) interrupted") }
        if let error { throw RecError(error.localizedDescription) }
        guard let http = response as? HTTPURLResponse else { throw RecError("no HTTP response") }
        guard http.statusCode == 200 else {
            throw RecError("the server answered HTTP \(http.statusCode)")
        }
        let body = data ?? Data()
        control.report(ProgressUpdate(label: label, done: body.count, total: body.count, detail: "bytes"))
        return body
    }

    /// The completion handler's result, handed across threads under a lock.
    private final class ResultBox: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var stored: (Data?, URLResponse?, Error?) = (nil, nil, nil)

        func set(data: Data?, response: URLResponse?, error: Error?) {
            lock.lock(); stored = (data, response, error); lock.unlock()
            done.signal()
        }

        /// True once the result is in.
        func wait(milliseconds: Int) -> Bool {
            done.wait(timeout: .now() + .milliseconds(milliseconds)) == .success
        }

        var result: (Data?, URLResponse?, Error?) {
            lock.lock(); defer { lock.unlock() }
            return stored
        }
    }
}
