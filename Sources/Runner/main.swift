import ArgumentParser
import Foundation

/// Exit statuses: 0 success, 1 a failure while running, 2 bad input (file or arguments).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let badInput: Int32 = 2
}

// ArgumentParser exits 64 on a usage error; runner promises 2 for any bad input.
do {
    var command = try RunnerCommand.parseAsRoot()
    try command.run()
} catch {
    let code = RunnerCommand.exitCode(for: error)
    if code == .success {
        RunnerCommand.exit(withError: error)
    }
    if let exit = error as? ExitCode {
        exit_(exit.rawValue)
    }
    FileHandle.standardError.write(Data((RunnerCommand.fullMessage(for: error) + "\n").utf8))
    exit_(ExitStatus.badInput)
}

func exit_(_ code: Int32) -> Never { Foundation.exit(code) }
