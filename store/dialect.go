package store

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Engine names a database engine the store runs on.
type Engine string

// The engines Open selects by its data source.
const (
	// SQLite is one file, opened by path (the default).
	SQLite Engine = "SQLite"
	// PostgreSQL is a server, opened by a postgres:// or postgresql:// URL.
	PostgreSQL Engine = "PostgreSQL"
)

// dialect is everything the store's SQL says differently per engine. The
// queries are written once, with ? placeholders (a PostgreSQL connection
// rebinds them, see rebind) and booleans stored as 0/1 integers on both
// engines (a PostgreSQL connection sends a bool argument as 0 or 1, and
// gives an insert's result a LastInsertId; see pgConn), so that only what
// cannot be written portably lives here.
type dialect struct {
	engine Engine
	// migrations is the directory of the engine's numbered migrations.
	migrations string
	// ensureVersion creates where the schema version lives, if need be
	// ("" when the engine keeps it itself).
	ensureVersion string
	// readVersion reads the applied schema version.
	readVersion string
	// setVersion records v as the applied schema version.
	setVersion func(v int) string
	// groupConcat is the aggregate joining expr's values with sep (a
	// string literal).
	groupConcat func(expr, sep string) string
	// truncate is expr, a non-negative number, cut to an integer toward zero.
	truncate func(expr string) string
	// jsonArrayElements is the query of the strings of the JSON array
	// arg (a placeholder), one row each.
	jsonArrayElements func(arg string) string
}

// sqliteDialect keeps the schema version in the file's header (PRAGMA
// user_version), where SQLite tools look for it.
var sqliteDialect = dialect{
	engine:            SQLite,
	migrations:        "migrations",
	readVersion:       "PRAGMA user_version",
	setVersion:        func(v int) string { return "PRAGMA user_version = " + strconv.Itoa(v) },
	groupConcat:       func(expr, sep string) string { return "group_concat(" + expr + ", " + sep + ")" },
	truncate:          func(expr string) string { return "CAST(" + expr + " AS INTEGER)" },
	jsonArrayElements: func(arg string) string { return "SELECT value FROM json_each(" + arg + ")" },
}

// postgresDialect keeps the schema version in a one-row table: PostgreSQL
// has no user_version. Its CAST to an integer rounds, hence TRUNC.
var postgresDialect = dialect{
	engine:     PostgreSQL,
	migrations: "migrations/postgres",
	ensureVersion: `CREATE TABLE IF NOT EXISTS schema_version (
			id      INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
			version BIGINT NOT NULL
		);
		INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`,
	readVersion: "SELECT version FROM schema_version",
	setVersion:  func(v int) string { return "UPDATE schema_version SET version = " + strconv.Itoa(v) },
	groupConcat: func(expr, sep string) string { return "string_agg(" + expr + ", " + sep + ")" },
	truncate:    func(expr string) string { return "CAST(TRUNC(" + expr + ") AS BIGINT)" },
	jsonArrayElements: func(arg string) string {
		return "SELECT jsonb_array_elements_text(CAST(" + arg + " AS jsonb))"
	},
}

// dataSource is what Open was given, taken apart.
type dataSource struct {
	engine Engine
	// target is the SQLite file's path or the PostgreSQL URL.
	target string
}

// parseSource selects the engine of a data source: a postgres:// or
// postgresql:// URL is PostgreSQL; sqlite://PATH, file:PATH or a plain
// path is a SQLite file.
func parseSource(source string) (dataSource, error) {
	lower := strings.ToLower(source)
	switch {
	case source == "":
		return dataSource{}, fmt.Errorf("store: data source is empty")
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return dataSource{engine: PostgreSQL, target: source}, nil
	case strings.HasPrefix(lower, "sqlite://"):
		source = source[len("sqlite://"):]
	case strings.HasPrefix(lower, "file:"):
		source = source[len("file:"):]
	}
	if source == "" {
		return dataSource{}, fmt.Errorf("store: SQLite database path is empty")
	}
	return dataSource{engine: SQLite, target: source}, nil
}

// EnvDatabaseURL names the environment variable whose data source the
// commands open when no --db is given (Heroku's and most hosts' name).
const EnvDatabaseURL = "DATABASE_URL"

// DefaultSource is $DATABASE_URL when it is set, else file: the data
// source a command opens unless told otherwise.
func DefaultSource(file string) string {
	if s := os.Getenv(EnvDatabaseURL); s != "" {
		return s
	}
	return file
}

// redact is a PostgreSQL URL fit for messages: without its password.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable PostgreSQL URL)"
	}
	return u.Redacted()
}

// rebind rewrites the ? placeholders of query to PostgreSQL's $1, $2, ...,
// leaving alone a ? inside a string literal, a quoted identifier or a
// comment.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			// A doubled quote inside is the quote itself: the literal goes
			// on, which the loop sees as two adjacent literals.
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+1])
			i += end
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+4])
			i += end + 3
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
