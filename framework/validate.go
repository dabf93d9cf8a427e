package framework

import (
	"slices"
	"strings"
)

// FieldErrors maps a field's name to what is wrong with it: what a
// Validate method returns, what a form view shows next to each input, and
// what a JSON error body lists under "fields". A non-empty FieldErrors is
// an error whose status is 422.
//
//	func (in EntryInput) Validate() error {
//		errs := framework.FieldErrors{}
//		if in.Name == "" {
//			errs.Add("name", "Name is required.")
//		}
//		return errs.Err()
//	}
//
// Make it with FieldErrors{} (Add on a nil FieldErrors panics, as any
// map does).
type FieldErrors map[string]string

// Add records msg for field unless it already has one: the first problem
// found is the one worth showing.
func (e FieldErrors) Add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// Has reports whether field has a message.
func (e FieldErrors) Has(field string) bool {
	_, ok := e[field]
	return ok
}

// Get returns field's message, or "".
func (e FieldErrors) Get(field string) string { return e[field] }

// Fields returns the names of the fields with a message, sorted.
func (e FieldErrors) Fields() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Error lists the problems, ordered by field name: "email: ...; name: ...".
func (e FieldErrors) Error() string {
	var b strings.Builder
	for i, k := range e.Fields() {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + e[k])
	}
	return b.String()
}

// Err returns e as an error, or nil when it is empty, so that a Validate
// method can end with "return errs.Err()" (a nil FieldErrors in an error
// interface would not be nil).
func (e FieldErrors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// StatusCode returns 422 Unprocessable Content.
func (e FieldErrors) StatusCode() int { return StatusUnprocessableEntity }
