// Package csvcell keeps a spreadsheet from running a CSV cell as a formula,
// for every CSV the API writes (reports, the register).
package csvcell

import "strings"

// Safe defuses a cell a spreadsheet would read as a formula: one beginning
// with = + - @ (or tab or carriage return, which some spreadsheets strip
// before looking) gets a leading single quote, as OWASP recommends against
// CSV injection. Text from the events or a contract can carry one.
func Safe(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
