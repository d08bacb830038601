import Foundation

/// Exit statuses: 0 success, 1 a failure while running, 2 bad input (file or arguments).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let badInput: Int32 = 2
}

/// What ends a command early: a message for standard error (already located where the problem
/// has a place in a file; empty when diagnostics were printed already) and the exit status.
/// Commands throw it; `main` alone prints it and exits.
struct RunnerError: Error, CustomStringConvertible {
    var message: String
    var status: Int32

    init(_ message: String, status: Int32) {
        self.message = message
        self.status = status
    }

    /// Bad input (status 2): the file, its data description or the arguments.
    static func badInput(_ message: String) -> RunnerError { RunnerError(message, status: ExitStatus.badInput) }
    /// A failure while running (status 1): data that cannot be read, a write, an interruption.
    static func failure(_ message: String) -> RunnerError { RunnerError(message, status: ExitStatus.failure) }
    /// Diagnostics already printed: exit 2 and say nothing more.
    static let diagnosticsPrinted = RunnerError("", status: ExitStatus.badInput)

    var description: String { message }

    /// The line `main` prints: the message, with `error: ` in front unless it has one.
    var text: String {
        message.hasPrefix("error") || message.contains(": error:") ? message : Say.error(message)
    }
}
