package chstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
)

// Failure is what an insert error means for the rows and for the caller.
type Failure int

const (
	// Transient: the server or the way to it is not able now (down,
	// unreachable, overloaded, a replica without its coordinator). The
	// same insert succeeds later; retry it.
	Transient Failure = iota
	// Rejected: the server refused rows of the insert for their values (a
	// string a column cannot parse, a number out of its type's range).
	// Retrying the same rows fails the same way; the other rows of the
	// insert can be stored without them.
	Rejected
	// Misconfigured: no row can be stored until someone changes the
	// server or the store's configuration (a table or column missing, a
	// wrong password, a user without the right to insert). Retrying only
	// hides the problem.
	Misconfigured
)

func (f Failure) String() string {
	switch f {
	case Rejected:
		return "rejected"
	case Misconfigured:
		return "misconfigured"
	default:
		return "transient"
	}
}

// serverError is how the server's exception codes are classified, with
// their names (the exception itself names only its C++ class). The codes
// are those of ClickHouse's src/Common/ErrorCodes.cpp, stable across
// versions; a code 18.16 does not know is harmless here.
var serverError = map[int32]struct {
	name    string
	failure Failure
}{
	// The data: only codes that the values of a row cause. A code that
	// can also mean a wrong query or table (ILLEGAL_TYPE_OF_ARGUMENT,
	// BAD_ARGUMENTS, LOGICAL_ERROR) is not here: dead-lettering every row
	// for it would empty the topic into the dead-letter one.
	6:   {"CANNOT_PARSE_TEXT", Rejected},
	19:  {"SIZE_OF_FIXED_STRING_DOESNT_MATCH", Rejected},
	25:  {"CANNOT_PARSE_ESCAPE_SEQUENCE", Rejected},
	26:  {"CANNOT_PARSE_QUOTED_STRING", Rejected},
	27:  {"CANNOT_PARSE_INPUT_ASSERTION_FAILED", Rejected},
	38:  {"CANNOT_PARSE_DATE", Rejected},
	41:  {"CANNOT_PARSE_DATETIME", Rejected},
	53:  {"TYPE_MISMATCH", Rejected},
	69:  {"ARGUMENT_OUT_OF_BOUND", Rejected},
	70:  {"CANNOT_CONVERT_TYPE", Rejected},
	72:  {"CANNOT_PARSE_NUMBER", Rejected},
	117: {"INCORRECT_DATA", Rejected},
	128: {"TOO_LARGE_ARRAY_SIZE", Rejected},
	130: {"CANNOT_READ_ARRAY_FROM_TEXT", Rejected},
	131: {"TOO_LARGE_STRING_SIZE", Rejected},
	190: {"SIZES_OF_ARRAYS_DOESNT_MATCH", Rejected},
	321: {"VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE", Rejected},
	349: {"CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN", Rejected},
	376: {"CANNOT_PARSE_UUID", Rejected},
	395: {"FUNCTION_THROW_IF_VALUE_IS_NON_ZERO", Rejected},
	407: {"DECIMAL_OVERFLOW", Rejected},
	441: {"CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING", Rejected},
	467: {"CANNOT_PARSE_BOOL", Rejected},
	469: {"VIOLATED_CONSTRAINT", Rejected},
	691: {"UNKNOWN_ELEMENT_OF_ENUM", Rejected},

	// The configuration: the tables, the columns, the user.
	8:   {"THERE_IS_NO_COLUMN", Misconfigured},
	10:  {"NOT_FOUND_COLUMN_IN_BLOCK", Misconfigured},
	16:  {"NO_SUCH_COLUMN_IN_TABLE", Misconfigured},
	20:  {"NUMBER_OF_COLUMNS_DOESNT_MATCH", Misconfigured},
	47:  {"UNKNOWN_IDENTIFIER", Misconfigured},
	60:  {"UNKNOWN_TABLE", Misconfigured},
	62:  {"SYNTAX_ERROR", Misconfigured},
	81:  {"UNKNOWN_DATABASE", Misconfigured},
	164: {"READONLY", Misconfigured},
	192: {"UNKNOWN_USER", Misconfigured},
	193: {"WRONG_PASSWORD", Misconfigured},
	194: {"REQUIRED_PASSWORD", Misconfigured},
	195: {"IP_ADDRESS_NOT_ALLOWED", Misconfigured},
	218: {"TABLE_IS_DROPPED", Misconfigured},
	291: {"DATABASE_ACCESS_DENIED", Misconfigured},
	497: {"ACCESS_DENIED", Misconfigured},
	516: {"AUTHENTICATION_FAILED", Misconfigured},

	// Named for the record: these pass by themselves, as every code not
	// listed is taken to.
	159: {"TIMEOUT_EXCEEDED", Transient},
	173: {"CANNOT_ALLOCATE_MEMORY", Transient},
	202: {"TOO_MANY_SIMULTANEOUS_QUERIES", Transient},
	209: {"SOCKET_TIMEOUT", Transient},
	210: {"NETWORK_ERROR", Transient},
	225: {"NO_ZOOKEEPER", Transient},
	236: {"ABORTED", Transient},
	241: {"MEMORY_LIMIT_EXCEEDED", Transient},
	242: {"TABLE_IS_READ_ONLY", Transient},
	243: {"NOT_ENOUGH_SPACE", Transient},
	244: {"UNEXPECTED_ZOOKEEPER_ERROR", Transient},
	252: {"TOO_MANY_PARTS", Transient},
	285: {"TOO_FEW_LIVE_REPLICAS", Transient},
	319: {"UNKNOWN_STATUS_OF_INSERT", Transient},
	394: {"QUERY_WAS_CANCELLED", Transient},
	425: {"SYSTEM_ERROR", Transient},
	999: {"KEEPER_EXCEPTION", Transient},
}

// Classify says what an error of an insert (Insert, InsertLinks and the
// other Insert methods) means. An error it does not know is Transient: a
// network error, a timeout, a connection refused or reset, and also a
// server exception no one has classified yet. Retrying such an error
// forever is what the materializer always did, and it loses nothing; taking
// an unknown error for the rows' fault would dead-letter rows that were
// fine, and taking it for the configuration's would stop the fleet at the
// first new error code.
func Classify(err error) Failure {
	if err == nil {
		return Transient
	}
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return serverError[ex.Code].failure // Transient if unknown
	}
	// The driver converts each value to its column's type before sending:
	// a Go type the column cannot take means the table is not the one
	// this code writes (a column's type changed), whatever the rows.
	var conv *column.ColumnConverterError
	var unsupported *column.UnsupportedColumnTypeError
	if errors.As(err, &conv) || errors.As(err, &unsupported) {
		return Misconfigured
	}
	// A value the driver refused for its column's type (an unknown Enum
	// element, a string too long for a FixedString): the row's fault.
	var value *column.Error
	if errors.As(err, &value) {
		return Rejected
	}
	return Transient
}

// Rejection describes an error Classify calls Rejected, for a dead letter:
// reason is "clickhouse_" and the lower-case name of the server's error
// code ("clickhouse_cannot_parse_text"), or "clickhouse_value_refused" for
// a value the driver refused; detail is the code, its name and the
// message, with every quoted value replaced by '…', since the message may
// quote a row's values and a dead letter's error text never carries
// personal data.
func Rejection(err error) (reason, detail string) {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		name := serverError[ex.Code].name
		if name == "" {
			name = fmt.Sprintf("code_%d", ex.Code)
		}
		return "clickhouse_" + strings.ToLower(name),
			fmt.Sprintf("ClickHouse refused the row: code %d %s: %s", ex.Code, name, redactQuoted(ex.Message))
	}
	var value *column.Error
	if errors.As(err, &value) {
		return "clickhouse_value_refused", "the ClickHouse driver refused a value for a column of type " + value.ColumnType
	}
	return "clickhouse_rejected", redactQuoted(err.Error())
}

// Fix says what to change for an error Classify calls Misconfigured, for
// the log of a process that stops on it.
func Fix(err error) string {
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) {
		return "the table's columns are not of the types this version writes: migrate the database, or run the version that matches it"
	}
	switch ex.Code {
	case 60, 81, 218:
		return "the table or the database is missing: migrate the database the store is configured with, or configure the right one"
	case 8, 10, 16, 20, 47, 62:
		return "the table's columns are not the ones this version writes: migrate the database, or run the version that matches it"
	case 192, 193, 194, 195, 516:
		return "the server does not accept the store's user: check the user name, the password and the networks the user may connect from"
	case 164, 291, 497:
		return "the store's user may not insert into the table: give it write access to the database (not a readonly profile)"
	}
	return "fix the server's configuration for the store's user and database"
}

// redactQuoted replaces what is between single quotes with an ellipsis.
func redactQuoted(s string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '\'')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open+1:], '\'')
		if end < 0 {
			break
		}
		b.WriteString(s[:open])
		b.WriteString("'…'")
		s = s[open+1+end+1:]
	}
	b.WriteString(s)
	return b.String()
}
