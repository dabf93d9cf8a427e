package session_test

import (
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/session"
)

// Without the Sessions middleware, From is nil, and every Session method
// on it panics with a message that names Sessions, not a nil pointer.
func TestSessionWithoutSessionsPanics(t *testing.T) {
	c := new(framework.Ctx) // a request no Sessions middleware wrapped
	calls := map[string]func(s *session.Session){
		"AddFlash": func(s *session.Session) { s.AddFlash("success", "hi") },
		"Flashes":  func(s *session.Session) { s.Flashes() },
		"Get":      func(s *session.Session) { s.Get("k") },
		"Set":      func(s *session.Session) { s.Set("k", "v") },
		"Delete":   func(s *session.Session) { s.Delete("k") },
		"Clear":    func(s *session.Session) { s.Clear() },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			defer func() {
				v := recover()
				msg, _ := v.(string)
				if !strings.Contains(msg, "session.Sessions(cfg)") {
					t.Errorf("panic %v", v)
				}
			}()
			call(session.From(c))
		})
	}
}
