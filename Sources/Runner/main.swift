import ArgumentParser
import Foundation

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

// Running: commands throw `RunnerError` (its message and status), or print a bad file's
// diagnostics and throw with an empty message; anything else thrown is a failure while
// running (status 1), printed as one line, never a trace.
do {
    try command.run()
} catch let e as ExitCode {
    exit(e.rawValue)
} catch let e as RunnerError {
    if !e.message.isEmpty { standardError(e.text) }
    exit(e.status)
} catch {
    // The root command's own run() asks ArgumentParser to print the help.
    if RunnerCommand.exitCode(for: error) == .success { RunnerCommand.exit(withError: error) }
    standardError(Say.error("\(error)"))
    exit(ExitStatus.failure)
}
