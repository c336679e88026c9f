import Foundation
import Testing
import TidemarkConsole
import TidemarkCore

@Suite struct ConsolePagesTests {
    @Test func templatesCompile() throws {
        _ = try ConsolePages()
    }
}
