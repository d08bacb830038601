import ArgumentParser
import Foundation

/// `runner report DIR`: writes DIR/report.html again from the folder's files alone.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write OUT/report.html again from a run's folder (journal, history, predictions); nothing is trained.",
        discussion: "Also works on a folder whose run is unfinished or sharded: it shows the units journaled so far."
    )

    @Argument(help: "The output folder of a run.")
    var folder: String

    func run() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw RunnerError.badInput(Say.at(folder, Say.noSuchFolder))
        }
        do {
            print(try ReportPage.write(folder: folder))
        } catch let e as ReportInput.Failure {
            throw RunnerError.badInput(e.description)
        } catch let e as RunnerError {
            throw e
        } catch {
            throw RunnerError.failure("\(error)")
        }
    }
}
