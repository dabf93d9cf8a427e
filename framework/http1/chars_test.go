package http1

import "testing"

func TestHasPrefixFold(t *testing.T) {
	tests := []struct {
		s, prefix string
		want      bool
	}{
		{"multipart/form-data; boundary=x", "multipart/form-data", true},
		{"Multipart/Form-Data; boundary=x", "multipart/form-data", true},
		{"__SECURE-id", "__Secure-", true},
		{"image/png", "image/", true},
		{"", "", true},
		{"x", "", true},
		{"imag", "image/", false},
		{"text/html", "image/", false},
		{"__\u017fecure-id", "__Secure-", false}, // U+017F folds to 's' in Unicode, not in HTTP
		{"\u212a", "k", false},                   // U+212A KELVIN SIGN likewise
	}
	for _, tc := range tests {
		if got := HasPrefixFold(tc.s, tc.prefix); got != tc.want {
			t.Errorf("HasPrefixFold(%q, %q) = %v, want %v", tc.s, tc.prefix, got, tc.want)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"42", 42, true},
		{"007", 7, true},
		{"9223372036854775807", 1<<63 - 1, true},
		{"9223372036854775808", 0, false}, // one past math.MaxInt64
		{"99999999999999999999", 0, false},
		{"", 0, false},
		{"+1", 0, false},
		{"-1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1_000", 0, false},
		{"0x10", 0, false},
		{"\u0661", 0, false}, // an Arabic-Indic digit is no DIGIT
	}
	for _, tc := range tests {
		got, ok := ParseDecimal(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseDecimal(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestPathAndQueryClasses checks the two classes the fast path scans
// targets with against the definitions they abbreviate: cPath is cTarget
// without "#", "%" and "?", cQuery is cTarget without "#".
func TestPathAndQueryClasses(t *testing.T) {
	for c := range 256 {
		target := class[c]&cTarget != 0
		if got, want := class[c]&cPath != 0, target && c != '#' && c != '%' && c != '?'; got != want {
			t.Errorf("cPath(%#02x) = %v, want %v", c, got, want)
		}
		if got, want := class[c]&cQuery != 0, target && c != '#'; got != want {
			t.Errorf("cQuery(%#02x) = %v, want %v", c, got, want)
		}
	}
}
