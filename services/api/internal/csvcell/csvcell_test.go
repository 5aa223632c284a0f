package csvcell

import "testing"

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"Swedbank AS":   "Swedbank AS",
		"=HYPERLINK(1)": "'=HYPERLINK(1)",
		"+371 2000":     "'+371 2000",
		"-1":            "'-1",
		"@SUM(A1)":      "'@SUM(A1)",
		"\t=1":          "'\t=1",
		"\r=1":          "'\r=1",
		"a=1":           "a=1",
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}
