import Foundation
import PostgresNIO

/// The schema, as numbered migrations: never edit one that has shipped; add the next. Every
/// record carries its application. The database itself keeps the two promises the store
/// makes: a write is refused unless it carries the application's current lease generation
/// (the `tidemark_fenced` trigger reads it from the transaction's `tidemark.fence` setting),
/// and the audit log is append-only (triggers, and no UPDATE, DELETE or TRUNCATE privilege).
enum PostgresMigrations {
    struct Migration {
        var version: Int32
        var name: String
        var statements: [String]
    }

    static let all: [Migration] = [
        Migration(version: 1, name: "records", statements: [
            """
            CREATE TABLE leases (
              app TEXT PRIMARY KEY, holder TEXT NOT NULL DEFAULT '', pid INTEGER NOT NULL DEFAULT 0,
              host TEXT NOT NULL DEFAULT '', acquired_at TIMESTAMPTZ, heartbeat_at TIMESTAMPTZ,
              generation BIGINT NOT NULL DEFAULT 0)
            """,
            """
            CREATE TABLE revisions (
              app TEXT NOT NULL, number BIGINT NOT NULL,
              commit_id TEXT NOT NULL, reference TEXT NOT NULL, path TEXT NOT NULL,
              started_at BIGINT NOT NULL, finished_at BIGINT, actor TEXT NOT NULL, trigger TEXT NOT NULL,
              outcome TEXT NOT NULL, plan_digest TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
              pinned BOOLEAN NOT NULL DEFAULT false,
              PRIMARY KEY (app, number))
            """,
            // One owner per live object: the unique (kind, physical_name) is across applications.
            """
            CREATE TABLE inventory (
              app TEXT NOT NULL, resource TEXT NOT NULL, kind TEXT NOT NULL, physical_name TEXT NOT NULL,
              entry TEXT NOT NULL,
              PRIMARY KEY (app, resource),
              CONSTRAINT inventory_one_owner UNIQUE (kind, physical_name))
            """,
            """
            CREATE TABLE journal (
              id BIGSERIAL PRIMARY KEY, app TEXT NOT NULL, revision BIGINT NOT NULL,
              resource TEXT NOT NULL, action TEXT NOT NULL, physical_name TEXT NOT NULL,
              client_token TEXT NOT NULL, pending_entry TEXT, started_at BIGINT NOT NULL,
              outcome TEXT, finished_at BIGINT)
            """,
            "CREATE INDEX journal_open ON journal (app) WHERE outcome IS NULL",
            """
            CREATE TABLE audit (
              app TEXT NOT NULL, sequence BIGINT NOT NULL, time BIGINT NOT NULL, actor TEXT NOT NULL,
              trigger TEXT NOT NULL, revision BIGINT, commit_id TEXT, resource TEXT,
              action TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT,
              before_digest TEXT, after_digest TEXT, diff TEXT NOT NULL,
              previous_hash TEXT NOT NULL, hash TEXT NOT NULL,
              PRIMARY KEY (app, sequence))
            """,
            """
            CREATE TABLE replicas (
              name TEXT PRIMARY KEY, started_at TIMESTAMPTZ NOT NULL, heartbeat_at TIMESTAMPTZ NOT NULL)
            """,
            """
            CREATE FUNCTION tidemark_fenced() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
              target TEXT;
              token BIGINT := NULLIF(current_setting('tidemark.fence', true), '')::BIGINT;
            BEGIN
              IF TG_OP = 'DELETE' THEN target := OLD.app; ELSE target := NEW.app; END IF;
              IF token IS NULL OR NOT EXISTS (
                  SELECT 1 FROM leases WHERE app = target AND generation = token AND holder <> '') THEN
                RAISE EXCEPTION 'write refused: fencing token % is not the current lease of application %', token, target
                  USING ERRCODE = 'TM001';
              END IF;
              IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
              RETURN NEW;
            END $$
            """,
            "CREATE TRIGGER revisions_fenced BEFORE INSERT OR UPDATE OR DELETE ON revisions FOR EACH ROW EXECUTE FUNCTION tidemark_fenced()",
            "CREATE TRIGGER inventory_fenced BEFORE INSERT OR UPDATE OR DELETE ON inventory FOR EACH ROW EXECUTE FUNCTION tidemark_fenced()",
            "CREATE TRIGGER journal_fenced BEFORE INSERT OR UPDATE OR DELETE ON journal FOR EACH ROW EXECUTE FUNCTION tidemark_fenced()",
            "CREATE TRIGGER audit_fenced BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION tidemark_fenced()",
            """
            CREATE FUNCTION tidemark_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'TM002';
            END $$
            """,
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION tidemark_append_only()",
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION tidemark_append_only()",
            // Nobody, the owner included, is granted more than adding to and reading the log.
            "REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM PUBLIC",
            "REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM CURRENT_USER",
        ]),
    ]

    /// Applies the migrations this database lacks, one transaction each, under an advisory
    /// lock so that replicas starting together migrate once.
    static func migrate(_ pool: PostgresPool) async throws {
        try await pool.transaction { c in
            try await c.query("SELECT pg_advisory_xact_lock(7275390241)", logger: pool.logger)
            try await c.query("""
                CREATE TABLE IF NOT EXISTS tidemark_schema (
                  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: pool.logger)
            let applied = Set(try await c.fetch("SELECT version FROM tidemark_schema", as: Int32.self, logger: pool.logger).map { (v: Int32) in Int(v) })
            if let newest = applied.max(), let known = all.last.map({ Int($0.version) }), newest > known {
                throw StoreFailure(sqlState: nil, message: "the database's schema is version \(newest), newer than this Tidemark knows (\(known)); upgrade Tidemark")
            }
            for m in all where !applied.contains(Int(m.version)) {
                for statement in m.statements { try await c.query(PostgresQuery(unsafeSQL: statement), logger: pool.logger) }
                try await c.query("INSERT INTO tidemark_schema (version, name) VALUES (\(m.version), \(m.name))", logger: pool.logger)
            }
        }
    }
}
