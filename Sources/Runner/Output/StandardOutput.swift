import Foundation

/// Standard output for long listings (`runner plan`), written with write(2) through a buffer
/// of our own, so that a reader who closes the pipe early (`runner plan F | head`) ends the
/// process at once, as any Unix filter ends: by SIGPIPE, which a shell reports as status 141
/// and which prints nothing. When SIGPIPE was ignored by our parent (the disposition survives
/// exec), the write fails with EPIPE instead, and the same signal is raised with its default
/// action, so the outcome does not depend on the parent.
struct StandardOutput {
    private var buffer: [UInt8] = []
    /// Bytes gathered before a write; the first lines go out at once (`flush`).
    private let capacity = 1 << 16

    init() { buffer.reserveCapacity(capacity) }

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity { flush() }
    }

    mutating func flush() {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress! + done, $0.count - done) }
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EPIPE { Self.brokenPipe() }
            // Any other failure (a full disk behind a redirection): report it as a failure.
            let reason = String(cString: strerror(errno))
            FileHandle.standardError.write(Data(Say.cannotWriteStandardOutput(reason).utf8))
            exit(ExitStatus.failure)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Ends the process as SIGPIPE's default action would.
    static func brokenPipe() -> Never {
        signal(SIGPIPE, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(SIGPIPE)
        _exit(128 + SIGPIPE)
    }
}
