import ArgumentParser
import TidemarkCore

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the dependency graph of the manifests: an arrow from each resource to what it references.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case mermaid, dot }

    @OptionGroup var source: SourceOptions

    @Option(help: "mermaid or dot (Graphviz).")
    var format: Format = .mermaid

    func run() throws {
        let repository = try source.open()
        let (_, files) = try source.read(repository, source.rev)
        let loaded = RevisionLoader.load(files)
        if loaded.hasErrors {
            Terminal.error(DiagnosticRenderer.text(loaded.diagnostics))
            throw ExitCode(1)
        }
        let graph = DependencyGraph(loaded.desired)
        Terminal.write(format == .mermaid ? graph.mermaid() : graph.dot())
    }
}

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (2020-12) of every kind, for editors such as yaml-language-server.",
        discussion: "Save it and point your editor at it, e.g. `# yaml-language-server: $schema=./tidemark.schema.json`.")

    func run() throws {
        Terminal.write(SchemaRenderer.schema().prettyJSON + "\n")
    }
}
