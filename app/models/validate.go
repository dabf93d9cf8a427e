package models

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Errors maps a field name to what is wrong with it. A non-empty Errors is
// an error, so a model can return it and a controller can show each
// message next to its field.
type Errors map[string]string

// Error lists the problems, ordered by field name.
func (e Errors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + e[k])
	}
	return b.String()
}

// Add records msg for field unless it already has a message: the first
// problem found is the one worth showing.
func (e Errors) Add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// Err returns e as an error, or nil when it is empty.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

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
