package middleware_test

import (
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/middleware"
)

// wantPanic runs f and checks that it panics with a message holding
// every one of parts.
func wantPanic(t *testing.T, f func(), parts ...string) {
	t.Helper()
	defer func() {
		t.Helper()
		v := recover()
		msg, _ := v.(string)
		if v == nil {
			t.Fatal("no panic")
		}
		for _, p := range parts {
			if !strings.Contains(msg, p) {
				t.Errorf("panic %q does not say %q", msg, p)
			}
		}
	}()
	f()
}

func TestAppOnlyMiddlewarePanicsOffTheApp(t *testing.T) {
	ok := func(c *framework.Ctx) error { return nil }
	cases := map[string]func(){
		"route": func() {
			framework.New().POST("/x", ok, middleware.MethodOverride())
		},
		"group": func() {
			framework.New().Group("/g", middleware.MethodOverride())
		},
		"nested group": func() {
			framework.New().Group("/g").Group("/h", middleware.MethodOverride())
		},
		"group Use": func() {
			framework.New().Group("/g").Use(middleware.MethodOverride())
		},
		"route of a group": func() {
			framework.New().Group("/g").PUT("/x", ok, middleware.MethodOverride())
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			wantPanic(t, f, "middleware.MethodOverride must be added with App.Use", "405")
		})
	}
	// On the app it is fine.
	app := framework.New()
	app.Use(middleware.MethodOverride())
	app.PUT("/x", ok)
}
