import ArgumentParser

struct RunnerCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Run a neural-network experiment described in a YAML file.",
        discussion: """
        Exit statuses: 0 success, 1 a failure while running, 2 bad input (file or arguments).
        `runner FILE` is the same as `runner run FILE`.
        """,
        version: version,
        subcommands: [RunCommand.self, ValidateCommand.self, PlanCommand.self, SummaryCommand.self, PredictCommand.self, MergeCommand.self, VerifyCommand.self, ReportCommand.self, SlurmCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
