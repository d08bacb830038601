import ArgumentParser
import Foundation

/// Exit statuses: 0 success, 1 a failure while running, 2 bad input (file or arguments).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let badInput: Int32 = 2
}

func standardError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

// Parsing: ArgumentParser exits 64 on a usage error; runner promises 2 for any bad input.
var command: ParsableCommand
do {
    command = try RunnerCommand.parseAsRoot()
} catch {
    if RunnerCommand.exitCode(for: error) == .success { RunnerCommand.exit(withError: error) }  // --help, --version
    standardError(RunnerCommand.fullMessage(for: error))
    exit(ExitStatus.badInput)
}

// Running: commands report bad files themselves (status 2); anything else thrown is a failure
// while running (status 1), printed as one line, never a trace.
do {
    try command.run()
} catch let e as ExitCode {
    exit(e.rawValue)
} catch let e as Session.Failure {
    if !e.description.isEmpty { standardError(e.description) }
    exit(e.status)
} catch {
    // The root command's own run() asks ArgumentParser to print the help.
    if RunnerCommand.exitCode(for: error) == .success { RunnerCommand.exit(withError: error) }
    standardError("error: \(error)")
    exit(ExitStatus.failure)
}
