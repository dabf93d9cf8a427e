package models

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/groundup-go/groundup/framework"
)

// Errors maps a field name to what is wrong with it: the framework's
// FieldErrors, which a form view shows next to each field and a JSON
// error lists under "fields". A non-empty Errors is an error with status
// 422, so a model can return it and a controller can show each message
// next to its field.
type Errors = framework.FieldErrors

// checkText validates one text field: required or not, at most max
// characters (runes, as a reader counts them, not bytes), valid UTF-8 and
// free of control characters. multiline allows newlines and tabs.
func checkText(errs Errors, field, label, v string, required bool, max int, multiline bool) {
	switch {
	case !utf8.ValidString(v):
		errs.Add(field, label+" is not valid UTF-8 text.")
	case required && strings.TrimSpace(v) == "":
		errs.Add(field, label+" is required.")
	case utf8.RuneCountInString(v) > max:
		errs.Add(field, label+" must be at most "+strconv.Itoa(max)+" characters.")
	case hasControl(v, multiline):
		errs.Add(field, label+" must not contain control characters.")
	}
}

// hasControl reports whether s holds a control character: C0 and C1
// controls, DEL, and the invisible format characters (such as the
// bidirectional overrides) that can make text read differently from what
// is stored. multiline allows '\n' and '\t'.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200d' {
			return true
		}
	}
	return false
}

// normalizeText trims surrounding space and turns CRLF and lone CR into
// LF: browsers send textarea line breaks as CRLF.
func normalizeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.TrimSpace(s)
}
